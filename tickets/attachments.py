"""The upload policy moved to core.lib.attachments (issue 14); billing imports these names from
here until it switches."""

from core.lib.attachments import ALLOWED_LABEL, attachment_check, attachment_fields

__all__ = ["ALLOWED_LABEL", "attachment_check", "attachment_fields"]
