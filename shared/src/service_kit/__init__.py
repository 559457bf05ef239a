"""What both services are built with beside the domain: ASGI plumbing, logging, and the
internal contract between them."""
