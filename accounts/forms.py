from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.divipola import municipality_by_code, municipality_choices
from accounts.identity import ADULT_AGE, DOCUMENT_RULES, DocumentKind, InvalidDocument, age_on, normalise_document
from accounts.models import CitizenIdentity, DocumentType, EthnicGroup, Gender
from accounts.services import IdentityInput
from redplypp.forms import StyledForm

_DOCUMENT_MESSAGES = {
    "empty": _("Write the document number."),
    "characters": _("A %(kind)s number has only digits (letters are allowed only for CE, PPT and passports)."),
    "length": _("A %(kind)s number has between %(min)d and %(max)d characters."),
}


def document_error(kind: str, error: InvalidDocument) -> str:
    rule = DOCUMENT_RULES[DocumentKind(kind)]
    message = _DOCUMENT_MESSAGES[error.code]
    return str(message) % {"kind": kind, "min": rule.min_length, "max": rule.max_length}


class NeverEchoInput(forms.TextInput):
    """A text input that never sends its value back to the browser (document numbers)."""

    def format_value(self, value: Any) -> str | None:
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class IdentityForm(StyledForm):
    """The citizen identity profile. The plain document number lives only in this form."""

    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=30,
        required=False,
        widget=NeverEchoInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    municipality_code = forms.ChoiceField(label=_("Municipality where you live"))
    data_consent = forms.BooleanField(
        label=_("I authorise the Red PLyPP to process these data to let me take part, as the privacy notice explains."),
    )
    guardian_name = forms.CharField(label=_("Guardian's full name"), max_length=150, required=False)
    guardian_document_type = forms.ChoiceField(
        label=_("Guardian's document type"),
        choices=[
            ("CC", DocumentType.CC.label),
            ("CE", DocumentType.CE.label),
            ("PPT", DocumentType.PPT.label),
            ("PEP", DocumentType.PEP.label),
            ("PA", DocumentType.PA.label),
        ],
        required=False,
    )
    guardian_document_number = forms.CharField(
        label=_("Guardian's document number"),
        max_length=30,
        required=False,
        widget=NeverEchoInput(attrs={"autocomplete": "off"}),
    )
    guardian_authorises = forms.BooleanField(
        label=_("My mother, father or guardian authorises me to take part and the processing of my data."),
        required=False,
    )
    sensitive_consent = forms.BooleanField(
        label=_("I also want to share my gender and ethnic self-identification, only for statistics of inclusion."),
        required=False,
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", _("Prefer not to say")), *Gender.choices], required=False
    )
    ethnic_group = forms.ChoiceField(
        label=_("Ethnic self-identification"),
        choices=[("", _("Prefer not to say")), *EthnicGroup.choices],
        required=False,
    )

    def __init__(self, *args: Any, identity: CitizenIdentity | None = None, today: date, **kwargs: Any) -> None:
        self.identity = identity
        self.today = today
        if identity is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "document_type": identity.document_type,
                "birth_date": identity.birth_date,
                "municipality_code": identity.municipality_code,
                "data_consent": True,
                "guardian_name": identity.guardian_name,
                "guardian_authorises": identity.guardian_authorised_at is not None,
                "sensitive_consent": identity.sensitive_consent_at is not None,
                "gender": identity.gender,
                "ethnic_group": identity.ethnic_group,
            }
        super().__init__(*args, **kwargs)
        municipality = self.fields["municipality_code"]
        assert isinstance(municipality, forms.ChoiceField)
        municipality.choices = [("", _("Choose your municipality")), *municipality_choices()]
        if identity is not None:
            self.fields["document_number"].help_text = _(
                "Already registered and kept hidden: we store only a code derived from it. Write it only to change it."
            )
        else:
            self.fields["document_number"].required = True

    def clean_municipality_code(self) -> str:
        code: str = self.cleaned_data["municipality_code"]
        if code not in municipality_by_code():
            raise forms.ValidationError(_("Choose a municipality from the list."))
        return code

    def clean_birth_date(self) -> date:
        born: date = self.cleaned_data["birth_date"]
        if born > self.today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if age_on(born, self.today) > 120:
            raise forms.ValidationError(_("Check the year of birth."))
        return born

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("document_type")
        number = cleaned.get("document_number")
        if kind and number:
            try:
                cleaned["document_number"] = normalise_document(kind, number)
            except InvalidDocument as error:
                self.add_error("document_number", document_error(kind, error))
        elif kind and self.identity is not None and kind != self.identity.document_type:
            self.add_error("document_number", _("Write the number of the new document."))
        born = cleaned.get("birth_date")
        if born and age_on(born, self.today) < ADULT_AGE:
            self._clean_guardian(cleaned)
        if cleaned.get("sensitive_consent") is not True:
            cleaned["gender"] = ""
            cleaned["ethnic_group"] = ""
        return cleaned

    def _clean_guardian(self, cleaned: dict[str, Any]) -> None:
        if (
            self.identity is not None
            and self.identity.guardian_authorised_at
            and not cleaned.get("guardian_document_number")
        ):
            return  # the authorisation on record stands
        if not cleaned.get("guardian_authorises"):
            self.add_error(
                "guardian_authorises", _("People under 18 need the authorisation of their mother, father or guardian.")
            )
        if not cleaned.get("guardian_name"):
            self.add_error("guardian_name", _("Write the guardian's full name."))
        kind = cleaned.get("guardian_document_type") or "CC"
        try:
            cleaned["guardian_document_number"] = normalise_document(kind, cleaned.get("guardian_document_number", ""))
            cleaned["guardian_document_type"] = kind
        except InvalidDocument as error:
            self.add_error("guardian_document_number", document_error(kind, error))

    def to_input(self) -> IdentityInput:
        data = self.cleaned_data
        return IdentityInput(
            document_type=data["document_type"],
            document_number=data.get("document_number") or None,
            birth_date=data["birth_date"],
            municipality_code=data["municipality_code"],
            guardian_name=data.get("guardian_name", ""),
            guardian_document_type=data.get("guardian_document_type") or "CC",
            guardian_document_number=data.get("guardian_document_number", ""),
            guardian_authorises=bool(data.get("guardian_authorises")),
            sensitive_consent=bool(data.get("sensitive_consent")),
            gender=data.get("gender", ""),
            ethnic_group=data.get("ethnic_group", ""),
        )


class AccountDeleteForm(StyledForm):
    password = forms.CharField(
        label=_("Your password, to confirm"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."))
        return password
