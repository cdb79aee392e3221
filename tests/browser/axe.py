"""axe-core, injected into the page under test, reporting serious and critical violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical WCAG 2.x A/AA (and 2.2) violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(url: str, found: list[dict[str, Any]]) -> str:
    lines = [f"{url}:"]
    for violation in found:
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"      at {' '.join(node['target'])}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)
