"""Private configuration store: owns the database, sees only hashes and ciphertext."""
