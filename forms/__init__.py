"""WTForms for every area; each module is named for the area it serves."""
from forms.base import BaseForm  # noqa: F401
