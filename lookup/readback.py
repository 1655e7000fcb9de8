"""Radio-style readbacks: short confirmations with plates and licences in the ICAO alphabet.

Example: "Seven X-ray Yankee Zulu four five six, silver Toyota Corolla, registered owner
John Smith, STOLEN, use caution." Alerts are read worst first; anything officer-safety adds
"use caution".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lookup.render import spell_out

_ALERT_WORDS = {
    "caution": "CAUTION",
    "wanted": "WANTED",
    "protection_order": "PROTECTION ORDER",
    "stolen": "STOLEN",
    "missing": "MISSING PERSON",
}


def alert_phrase(alerts: Sequence[dict[str, Any]]) -> str:
    """The alerts as spoken words, worst first, ending with "use caution" where needed."""
    if not alerts:
        return ""
    words: list[str] = []
    for a in alerts:
        w = _ALERT_WORDS.get(a["kind"], a["kind"].upper())
        if w not in words:
            words.append(w)
    if any(a.get("officer_safety") for a in alerts) and "CAUTION" in words:
        words.remove("CAUTION")
    text = ", ".join(words)
    if any(a.get("officer_safety") for a in alerts):
        text = f"{text}, use caution" if text else "use caution"
    return text


def _person_name(p: dict[str, Any] | None) -> str:
    return f"{p['given']} {p['family']}" if p else "unknown"


def vehicle_readback(vehicle: dict[str, Any], alerts: Sequence[dict[str, Any]],
                     spelling: str = "nato") -> str:
    """Plate spelled out (in the officer's alphabet), description, owner, licence status if
    not valid, then alerts."""
    parts = [spell_out(vehicle["plate"], spelling)]
    desc = " ".join(str(x) for x in (vehicle.get("colour"), vehicle.get("make"), vehicle.get("model")) if x)
    if desc:
        parts.append(desc)
    owner = vehicle.get("owner")
    parts.append(f"registered owner {_person_name(owner)}")
    lic = (owner or {}).get("licence")
    if lic and lic.get("status") != "valid":
        parts.append(f"owner licence {lic['status'].upper()}")
    if vehicle.get("status") not in (None, "registered"):
        parts.append(f"registration {vehicle['status']}")
    phrase = alert_phrase(alerts)
    parts.append(phrase or "no wants")
    return ", ".join(parts) + "."


def person_readback(person: dict[str, Any], alerts: Sequence[dict[str, Any]]) -> str:
    """Name, date of birth, licence status and alerts."""
    parts = [f"{_person_name(person)}, born {person['dob']}"]
    lic = person.get("licence")
    if lic:
        parts.append(f"licence {lic['status'].upper() if lic['status'] != 'valid' else 'valid'}")
    else:
        parts.append("no licence on file")
    parts.append(alert_phrase(alerts) or "no wants")
    return ", ".join(parts) + "."


def licence_readback(licence: dict[str, Any], alerts: Sequence[dict[str, Any]],
                     spelling: str = "nato") -> str:
    """Licence number spelled out (in the officer's alphabet), status, holder and alerts."""
    holder = licence.get("holder")
    parts = [
        f"Licence {spell_out(licence['number'], spelling)}",
        licence["status"].upper() if licence["status"] != "valid" else "valid",
        f"holder {_person_name(holder)}",
    ]
    if holder:
        parts[-1] += f", born {holder['dob']}"
    parts.append(alert_phrase(alerts) or "no wants")
    return ", ".join(parts) + "."


def clarify_readback(kind: str, options: Sequence[str] = (), spelling: str = "nato") -> str:
    """Ask again; with options, offer at most three readings to confirm, spelled in the
    officer's alphabet."""
    if options:
        spelled = " or ".join(spell_out(o, spelling) if kind != "person" else o for o in options[:3])
        return f"Confirm {kind}: {spelled}?"
    return f"Say again {kind}." if kind != "query" else "Say again, query not understood."


def no_match_readback(kind: str, value: str | None, spelling: str = "nato") -> str:
    """Nothing on file for what was heard."""
    if value and kind in ("plate", "licence"):
        return f"{spell_out(value, spelling)}, no record."
    return f"No record for that {kind}."


def partial_readback(pattern: str, count: int, alerts: Sequence[dict[str, Any]], suffix: bool) -> str:
    """How many plates match a partial plate, and the alerts among them."""
    where = "ending" if suffix else "starting"
    text = f"Partial plate {where} {spell_out(pattern)}, {count} possible"
    phrase = alert_phrase(alerts)
    return text + (f", {phrase}." if phrase else ".")
