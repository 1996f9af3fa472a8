"""Accounts: who may call, and what a new account starts with.

Every operation of every generation names the caller by its credential
parameters (``contactEmail`` / ``contactAPIkey``, or the operation's own names for
them); :func:`authenticate` checks them against the store and answers the
recorded ``Invalid contact credentials`` fault otherwise. :func:`ensure_account`
adds the accounts of ``--account EMAIL:KEY``. :data:`TEMPLATE_DEFAULTS` is what a
template's settings are when nobody chose them (reconstructed: output JPG, 72 hours,
background type 1 on #FFFFFF, every number 0, every flag false).

The demo account and its data are in :mod:`.seed`; the tables in :mod:`.store`.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from typing import Any

from ..core.wire import Operation
from .clock import format_time
from .store import Account, Store, TemplateRow
from .validation import Fault, Params

__all__ = ["TEMPLATE_DEFAULTS", "authenticate", "ensure_account", "template_spec"]

log = logging.getLogger("removethebackground.sandbox")

TEMPLATE_DEFAULTS: Mapping[str, Any] = {
    "output_format": "JPG",
    "delivery_time_in_hours": 72,
    "background_type": 1,
    "background_color": "#FFFFFF",
    "background_vertical_gradient_color": "",
    "resize_type": 0,
    "resize_unit": 0,
    "resize_width": 0,
    "resize_height": 0,
    "resize_max_size": 0,
    "resize_min_size": 0,
    "margin_type": 0,
    "margin_top": 0,
    "margin_bottom": 0,
    "margin_left": 0,
    "margin_right": 0,
    "margin_vertical_alignment": 0,
    "shadow_type": 0,
    "is_combined_images": False,
    "callback_url": "",
    "comment": "",
    "is_kept_mannequin": False,
    "is_kept_model": False,
}


def template_spec(row: TemplateRow) -> dict[str, Any]:
    """A stored template's full spec, :data:`TEMPLATE_DEFAULTS` filled in.

    GetTemplates and GetTemplateSpec show it, and the worker renders the outputs from it
    (``imaging.OutputSpec.from_template``), so the spec describes what is delivered.
    """
    return {**TEMPLATE_DEFAULTS, **row.spec}


def authenticate(store: Store, op: Operation[Any], params: Params) -> Account:
    """The account named by the call's credentials, or the ``Invalid contact credentials`` fault."""
    by_name = {f.name: f.attr for f in op.params}
    email_attr = by_name.get(op.credential_params[0], "contact_email")
    key_attr = by_name.get(op.credential_params[1], "contact_api_key")
    email = params.text(email_attr)
    key = params.raw(key_attr) or ""
    account = store.get_account(email) if email else None
    if (
        account is None
        or not key
        or not hmac.compare_digest(account.api_key.encode("utf-8"), key.encode("utf-8"))
    ):
        log.info("%s: refused credentials for %r", op.name, email[:100])
        raise Fault("Invalid contact credentials")
    return account


def ensure_account(store: Store, email: str, api_key: str, now: float) -> Account:
    """Create (or re-key) an account from ``--account``; a new one gets one template."""
    account = store.upsert_account(email, api_key, person=email.split("@", 1)[0])
    if not store.list_templates(account.email):
        store.add_template(
            account.email,
            "White Background",
            {**TEMPLATE_DEFAULTS, "delivery_time_in_hours": 24},
            format_time(now),
        )
    return account
