"""Steps that several browser journeys share."""

import re

from playwright.sync_api import expect

from tests.conftest import staff_totp, totp_code
from tests.factories import PASSWORD


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, as a person would."""
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main button[type=submit]").click()
    expect(page.locator("#id_password")).to_have_count(0)


def sign_in_staff(page, user, password: str = PASSWORD) -> None:
    """Sign a staff member in as a person would: the password, then the code of their
    authenticator app (the admin requires one; it is created with a known secret if missing)."""
    staff_totp(user)
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(password)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("main input[name=code]").fill(totp_code())
    page.locator("main button[type=submit]:not([form])").click()  # not "Cancel"
    expect(page.locator("main input[name=code]")).to_have_count(0)


def open_menu(page, holding: str):
    """Open the header <details> menu that holds the `holding` selector; returns the menu."""
    menu = page.locator("header details.menu").filter(has=page.locator(holding))
    menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")
    return menu


_OVERFLOW_SCRIPT = """
(width) => {
  const clipped = (element) => {
    let node = element;
    while (node && node !== document.body) {
      const position = getComputedStyle(node).position;
      const floating = position === "absolute" || position === "fixed";
      const next = floating ? node.offsetParent : node.parentElement;
      const clips = next && next !== document.body;
      if (clips && getComputedStyle(next).overflowX !== "visible") return true;
      node = next;
    }
    return false;
  };
  const describe = (el) => {
    const right = Math.round(el.getBoundingClientRect().right);
    const text = el.textContent.trim().slice(0, 40);
    return `<${el.tagName.toLowerCase()} class="${el.className}"> right=${right} "${text}"`;
  };
  const offenders = [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !clipped(el))
    .map(describe);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    offenders: offenders.slice(0, 10),
  };
}
"""


def horizontal_overflow(page, width: int) -> dict | None:
    """None when the page fits `width` CSS pixels; else the widths and the elements sticking out.

    On a phone Chromium widens window.innerWidth to the content, so the width is checked too.
    """
    found = page.evaluate(_OVERFLOW_SCRIPT, width)
    fits = found["scrollWidth"] <= found["innerWidth"] <= width and not found["offenders"]
    return None if fits else found


def navigation_paths(page) -> list[str]:
    return page.locator("nav.sidenav a").evaluate_all("links => links.map(a => a.pathname)")


_STICKING_OUT_SCRIPT = """
(boxes) => boxes.flatMap((box) => {
  const edge = box.getBoundingClientRect().right;
  return [...box.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > edge + 1)
    .map((el) => {
      const text = el.textContent.trim().slice(0, 40);
      return `${box.id || box.className} > <${el.tagName.toLowerCase()}> "${text}"`;
    });
})
"""


def sticking_out(page, selector: str) -> list[str]:
    """The elements that reach past the right edge of the box (a card, a panel) holding them."""
    return page.locator(selector).evaluate_all(_STICKING_OUT_SCRIPT)
