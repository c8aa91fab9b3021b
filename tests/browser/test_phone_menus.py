"""The header menus on a phone open inside the screen, one at a time; the destructive button on
the user page is red, not the primary blue."""

import pytest
from playwright.sync_api import expect

from core.models import Level, Membership
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.helpers import open_menu, sign_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser

DANGER = "rgb(179, 38, 30)"
BRAND = "rgb(11, 92, 171)"

# Points of the box (corners inset past the rounded border, and the centre) where something
# else is on top of it.
_COVERED_SCRIPT = """
(box) => {
  const r = box.getBoundingClientRect();
  const i = 10;
  const points = [
    [r.left + i, r.top + i], [r.right - i, r.top + i], [r.left + i, r.bottom - i],
    [r.right - i, r.bottom - i], [(r.left + r.right) / 2, (r.top + r.bottom) / 2],
  ];
  return points
    .filter(([x, y]) => !box.contains(document.elementFromPoint(x, y)))
    .map(([x, y]) => {
      const el = document.elementFromPoint(x, y);
      const tag = el && el.tagName.toLowerCase();
      return `${Math.round(x)},${Math.round(y)} <${tag} class="${el && el.className}">`;
    });
}
"""

MENUS = [
    ("customer", "input[name=membership]"),
    ("language", "button[name=language]"),
    ("user", "[data-testid=sign-out]"),
]


def _assert_inside_the_phone(page, menu, name: str) -> None:
    body = menu.locator(".menu-body")
    expect(body).to_be_visible()
    box = body.bounding_box()
    assert box is not None, f"{name} menu has no box"
    assert box["x"] >= 0, f"{name} menu starts left of the screen: {box}"
    assert box["x"] + box["width"] <= PHONE["width"], f"{name} menu passes the right edge: {box}"
    assert box["y"] >= 0, f"{name} menu starts above the screen: {box}"
    assert box["y"] + box["height"] <= PHONE["height"], f"{name} menu passes the bottom: {box}"
    hidden = body.evaluate(_COVERED_SCRIPT)
    assert not hidden, f"{name} menu is covered at {hidden}"
    for item in body.locator(".menu-item").all():
        expect(item).to_be_visible()
        item_box = item.bounding_box()
        sticks_out = f"{name} menu item sticks out: {item.text_content()!r} {item_box}"
        assert item_box["x"] >= box["x"], sticks_out
        assert item_box["x"] + item_box["width"] <= box["x"] + box["width"] + 1, sticks_out


def test_header_menus_open_inside_a_phone_screen_one_at_a_time(
    new_page, screenshot, portal_admin_user, other_customer
):
    MembershipFactory(
        customer=other_customer,
        user=portal_admin_user,
        role=Membership.Role.USER,
        tickets=Level.VIEW,
    )
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, portal_admin_user.email)
    expect(page.get_by_test_id("active-customer")).to_have_text("Acme Logística")
    screenshot(page, "0-closed")

    opened = []
    for step, (name, holding) in enumerate(MENUS, start=1):
        menu = open_menu(page, holding)
        screenshot(page, f"{step}-{name}-menu")
        _assert_inside_the_phone(page, menu, name)
        for earlier in opened:
            expect(earlier).not_to_have_attribute("open", "")
        opened.append(menu)

    customer_menu = opened[0]
    expect(customer_menu.locator("button.menu-item")).to_have_text(
        ["Acme Logística", "Globex Telecom"]
    )
    expect(opened[1].locator("button.menu-item")).to_have_count(3)
    expect(opened[2].get_by_test_id("sign-out")).to_be_visible()


def test_deactivate_button_on_the_user_page_is_red_not_primary_blue(
    new_page, screenshot, portal_admin_user, limited_membership
):
    page = new_page(viewport=DESKTOP)
    sign_in(page, portal_admin_user.email)
    page.goto(f"/users/{limited_membership.reference}/")
    button = page.get_by_role("button", name="Deactivate")
    expect(button).to_be_visible()
    screenshot(page, "1-user-page")

    danger = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()"
    )
    style = button.evaluate(
        "(el) => { const s = getComputedStyle(el);"
        " return {color: s.color, border: s.borderTopColor, background: s.backgroundColor}; }"
    )
    assert danger == "#b3261e"
    assert style["color"] == DANGER
    assert style["border"] == DANGER
    assert BRAND not in (style["color"], style["background"], style["border"])
