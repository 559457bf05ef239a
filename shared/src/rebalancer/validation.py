"""Whether a user's settings make sense together, once the defaults are filled in.

A field is checked against the whole: a target must name a class that the
catalogue (with the user's additions) knows, and some tax group must be allowed
to hold it, or the engine could never reach it.
"""

from __future__ import annotations

from rebalancer.catalogue import ASSET_GROUPS, INVESTABLE_TAX_GROUPS
from rebalancer.configuration import EffectiveSettings
from rebalancer.field_errors import FieldError
from rebalancer.targets import target_problems


def settings_problems(settings: EffectiveSettings) -> list[FieldError]:
    known = set(settings.catalogue.asset_classes)
    return [
        *_catalogue_problems(settings, known),
        *_target_problems(settings, known),
        *_affinity_problems(settings, known),
        *(
            FieldError(f"no_sell[{i}].asset_class", f"{lock.asset_class} is not an asset class")
            for i, lock in enumerate(settings.no_sell)
            if lock.asset_class not in known
        ),
    ]


def _catalogue_problems(settings: EffectiveSettings, known: set[str]) -> list[FieldError]:
    errors = [
        FieldError(f"asset_classes[{i}].group", f"must be one of {', '.join(ASSET_GROUPS)}")
        for i, added in enumerate(settings.asset_classes)
        if added.group not in ASSET_GROUPS
    ]
    errors += [
        FieldError(f"securities[{i}].asset_class", f"{s.asset_class} is not an asset class")
        for i, s in enumerate(settings.securities)
        if not s.mix and s.asset_class not in known
    ]
    errors += [
        FieldError(
            f"securities[{i}].mix[{j}].asset_class", f"{sleeve.asset_class} is not an asset class"
        )
        for i, s in enumerate(settings.securities)
        for j, sleeve in enumerate(s.mix)
        if sleeve.asset_class not in known
    ]
    defaults = [s.asset_class for s in settings.securities if s.default]
    errors += [
        FieldError("securities", f"{asset_class} has more than one default security")
        for asset_class in sorted({c for c in defaults if defaults.count(c) > 1})
    ]
    return errors


def _target_problems(settings: EffectiveSettings, known: set[str]) -> list[FieldError]:
    errors = [
        FieldError(f"targets[{i}].asset_class", f"{t.asset_class} is not an asset class")
        for i, t in enumerate(settings.targets)
        if t.asset_class not in known
    ]
    return errors + [FieldError("targets", p) for p in target_problems(settings.targets)]


def _affinity_problems(settings: EffectiveSettings, known: set[str]) -> list[FieldError]:
    errors: list[FieldError] = []
    placeable: set[str] = set()
    for group in INVESTABLE_TAX_GROUPS:
        names = settings.affinities.get(group, ())
        placeable.update(names)
        for i, name in enumerate(names):
            field = f"affinities.{group.value}[{i}]"
            if name not in known:
                errors.append(FieldError(field, f"{name} is not an asset class"))
            elif name in names[:i]:
                errors.append(FieldError(field, f"{name} is listed twice"))
    errors += [
        FieldError("affinities", f"{t.asset_class} has a target but no tax group may hold it")
        for t in settings.targets
        if t.asset_class in known and t.asset_class not in placeable and t.value > 0
    ]
    return errors
