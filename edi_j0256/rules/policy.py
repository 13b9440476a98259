"""Payer policy profiles: what a payer requires on a J0256 claim, read from TOML.

The bundled ``data/payer_policies.toml`` holds defaults for Medicare, Medicare Advantage,
Medicaid and commercial plans; ``--policy FILE`` overrides them key by key. A claim gets a
profile by payer ID (2010BB NM109), then by claim filing indicator (SBR09), then the default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from edi_j0256.claims.model import Claim

BUNDLED = "payer_policies.toml"


class PolicyError(ValueError):
    """A policy file cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    description: str = ""
    filing_indicators: tuple[str, ...] = ()  # SBR09 values
    payer_ids: tuple[str, ...] = ()  # 2010BB NM109 values
    require_waste_modifier: bool = False  # JW/JZ on every single-dose J0256 line
    require_ndc: bool = False  # 2410 LIN/CTP on the drug line
    require_prior_auth: bool = False  # REF*G1 at claim or line level
    require_lung_diagnosis: bool = False  # J43.x / J44.x besides E88.01
    min_age: int | None = None  # years on the date of service
    max_units_per_day: int | None = None
    max_units_per_7_days: int | None = None
    unit_cap_source: str = ""
    preferred_ndcs: tuple[str, ...] = ()  # 11-digit NDCs of the plan's preferred brands
    min_days_between_doses: int | None = None  # 7 for the label's once-weekly dosing
    appeal_window_days: int | None = None  # days to appeal a denial, from its receipt
    appeal_receipt_days: int | None = None  # days after the remittance date receipt is presumed
    source: str = ""


_INHERITED_NOT = {"name", "description", "filing_indicators", "payer_ids", "source"}
_TYPES: dict[str, type] = {
    "description": str, "filing_indicators": list, "payer_ids": list,
    "require_waste_modifier": bool, "require_ndc": bool, "require_prior_auth": bool,
    "require_lung_diagnosis": bool, "min_age": int, "max_units_per_day": int,
    "max_units_per_7_days": int, "unit_cap_source": str, "preferred_ndcs": list,
    "min_days_between_doses": int, "appeal_window_days": int, "appeal_receipt_days": int,
    "source": str, "based_on": str,
}
assert set(_TYPES) - {"based_on"} == {f.name for f in fields(Policy)} - {"name"}


@dataclass(slots=True)
class PolicySet:
    profiles: dict[str, Policy] = field(default_factory=dict)
    default: str = "commercial"
    files: tuple[str, ...] = ()

    def for_claim(self, claim: Claim) -> Policy:
        """The profile for a claim: payer ID first, then SBR09, then the default profile."""
        payer_id = (claim.payer_id or "").strip().upper()
        indicator = (claim.claim_filing_indicator or "").strip().upper()
        if payer_id:
            for policy in self.profiles.values():
                if payer_id in policy.payer_ids:
                    return policy
        if indicator:
            for policy in self.profiles.values():
                if indicator in policy.filing_indicators:
                    return policy
        return self.profiles[self.default]


def load_policies(path: str | Path | None = None) -> PolicySet:
    """The bundled profiles, overridden by the TOML file at ``path`` when given."""
    bundled = resources.files("edi_j0256").joinpath("data", BUNDLED)
    policies = PolicySet()
    _apply(policies, _read(bundled.read_bytes(), BUNDLED), BUNDLED)
    if path is not None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise PolicyError(f"{path}: cannot read policy file: {exc.strerror}") from None
        _apply(policies, _read(data, str(path)), str(path))
    return policies


def _read(data: bytes, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{name}: not valid TOML: {exc}") from None


def _apply(policies: PolicySet, data: dict[str, Any], name: str) -> None:
    for key in data:
        if key not in ("default_profile", "profiles"):
            raise PolicyError(f"{name}: unknown key {key!r} (expected default_profile, profiles)")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise PolicyError(f"{name}: key 'profiles' must be a table of profiles")
    for profile_name, table in profiles.items():
        where = f"profiles.{profile_name}"
        if not isinstance(table, dict):
            raise PolicyError(f"{name}: key {where!r} must be a table")
        values = {k: _value(name, f"{where}.{k}", k, v) for k, v in table.items()}
        base_name = values.pop("based_on", None)
        if profile_name in policies.profiles:
            base = policies.profiles[profile_name]
        elif base_name is not None:
            if base_name not in policies.profiles:
                raise PolicyError(f"{name}: key '{where}.based_on' names unknown profile "
                                  f"{base_name!r}")
            parent = policies.profiles[base_name]
            inherited = {f.name: getattr(parent, f.name) for f in fields(Policy)
                         if f.name not in _INHERITED_NOT}
            base = Policy(profile_name, **inherited)
        else:
            base = Policy(profile_name)
        policies.profiles[profile_name] = replace(base, **values)
    default = data.get("default_profile", policies.default)
    if not isinstance(default, str) or default not in policies.profiles:
        raise PolicyError(f"{name}: key 'default_profile' names unknown profile {default!r}")
    policies.default = default
    _check_payer_ids(policies, name)
    policies.files += (name,)


def _value(name: str, key_path: str, key: str, value: Any) -> Any:
    expected = _TYPES.get(key)
    if expected is None:
        raise PolicyError(f"{name}: unknown key {key_path!r}")
    if expected is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise PolicyError(f"{name}: key {key_path!r} must be a whole number >= 0, "
                          f"not {value!r}")
    if not isinstance(value, expected):
        raise PolicyError(f"{name}: key {key_path!r} must be a {expected.__name__}, "
                          f"not {value!r}")
    if expected is list:
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise PolicyError(f"{name}: key {key_path!r} must be a list of non-empty strings")
        value = tuple(v.strip().upper() for v in value)
        if key == "preferred_ndcs":
            value = tuple(_ndc(name, key_path, v) for v in value)
    return value


def _ndc(name: str, key_path: str, raw: str) -> str:
    from edi_j0256.claims.ndc import normalize_ndc

    ndc = normalize_ndc(raw)
    if ndc is None:
        raise PolicyError(f"{name}: key {key_path!r} holds {raw!r}, not an 11-digit or "
                          "hyphenated NDC")
    return ndc


def _check_payer_ids(policies: PolicySet, name: str) -> None:
    seen: dict[str, str] = {}
    for policy in policies.profiles.values():
        for payer_id in policy.payer_ids:
            if payer_id in seen:
                raise PolicyError(f"{name}: payer ID {payer_id!r} is in both "
                                  f"'profiles.{seen[payer_id]}' and 'profiles.{policy.name}'")
            seen[payer_id] = policy.name
