"""A person filling in the web form in a real browser: by labels and buttons, as they see it."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect


class Referrer:
    def __init__(self, page: Page, base_url: str, on_page: Callable[[Page], None]) -> None:
        self.page = page
        self.base_url = base_url
        self.on_page = on_page  # called on every page reached, e.g. to run axe
        self.visited: list[str] = []

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self._arrived()

    def _arrived(self) -> None:
        self.page.wait_for_load_state("load")
        self.visited.append(self.page.url)
        self.on_page(self.page)

    def click(self, name: str) -> None:
        """Press a button or a link that looks like one, and wait for the next page."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name, exact=True).or_(
                self.page.get_by_role("link", name=name, exact=True)
            ).first.click()
        self._arrived()

    def follow(self, link_text: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=link_text).first.click()
        self._arrived()

    def sees_question(self, heading: str) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(heading)

    def choose(self, heading: str, option: str) -> None:
        self.sees_question(heading)
        self.page.get_by_role("radio", name=option, exact=True).check()
        self.click("Continue")

    def tick(self, heading: str, *options: str) -> None:
        self.sees_question(heading)
        for option in options:
            self.page.get_by_role("checkbox", name=option, exact=True).check()
        self.click("Continue")

    def write(self, heading: str, text: str) -> None:
        """Type into the one text box or text area on a question page (blank to skip it)."""
        self.sees_question(heading)
        self.page.get_by_label(re.compile(re.escape(heading))).fill(text)
        self.click("Continue")

    def name(self, heading: str, first: str, last: str) -> None:
        self.sees_question(heading)
        self.page.get_by_label("First name").fill(first)
        self.page.get_by_label("Last name").fill(last)
        self.click("Continue")

    def date(self, heading: str, day: int, month: int, year: int) -> None:
        self.sees_question(heading)
        self.page.get_by_label("Day").fill(str(day))
        self.page.get_by_label("Month").fill(str(month))
        self.page.get_by_label("Year").fill(str(year))
        self.click("Continue")

    def error_summary(self) -> str:
        summary = self.page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        return summary.inner_text()
