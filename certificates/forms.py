"""Forms of the certificates area, one per use case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from certificates.layout import ALIGNMENTS, PageSpec, TemplateItem, TemplateSpec
from certificates.numbering import DEFAULT_PATTERN

KIND_CHOICES = [
    ("", _l("Any kind")),
    ("award", _l("Award certificate")),
    ("participation", _l("Participation certificate")),
    ("advisor", _l("Outstanding advisor")),
    ("organisation", _l("Outstanding organising unit")),
    ("attendance", _l("Event attendance")),
]
ITEM_KIND_CHOICES = [
    ("", _l("(empty row)")),
    ("text", _l("Text")),
    ("textbox", _l("Wrapping text box")),
    ("qr", _l("QR code")),
    ("image", _l("Image")),
]
ALIGN_CHOICES = [("left", _l("Left")), ("center", _l("Centre")), ("right", _l("Right"))]
if [a for a, _label in ALIGN_CHOICES] != list(ALIGNMENTS):  # the form offers exactly the layout's alignments
    raise RuntimeError("ALIGN_CHOICES and certificates.layout.ALIGNMENTS differ")


class ItemForm(Form):
    """One positioned item; a row whose kind is empty is dropped (that is how items are removed)."""

    kind = SelectField(_l("Kind"), choices=ITEM_KIND_CHOICES, validators=[Optional()])
    x_mm = FloatField(_l("X (mm)"), validators=[Optional()], default=20)
    y_mm = FloatField(_l("Y (mm)"), validators=[Optional()], default=20)
    width_mm = FloatField(_l("Width (mm)"), validators=[Optional()], default=100)
    height_mm = FloatField(_l("Height (mm)"), validators=[Optional()], default=0)
    text = StringField(_l("Text with placeholders"), validators=[Optional(), Length(max=1000)])
    font = SelectField(_l("Font"), choices=[], validators=[Optional()], validate_choice=False)
    size_pt = FloatField(_l("Size (pt)"), validators=[Optional()], default=16)
    min_size_pt = FloatField(_l("Minimum size (pt)"), validators=[Optional()], default=8)
    colour = StringField(_l("Colour"), validators=[Optional(), Length(max=7)], default="#000000")
    align = SelectField(_l("Alignment"), choices=ALIGN_CHOICES, default="left")
    line_spacing = FloatField(_l("Line spacing"), validators=[Optional()], default=1.4)
    image = HiddenField()


class TemplateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Meant for"), choices=KIND_CHOICES, validators=[Optional()])
    number_pattern = StringField(
        _l("Number pattern"),
        default=DEFAULT_PATTERN,
        validators=[DataRequired(), Length(max=80)],
        description=_l("Tokens: {YEAR} {CONTEST} {KIND} {SEQ:05d}"),
    )
    page_size = SelectField(
        _l("Page size"), choices=[("A4", "A4"), ("A5", "A5"), ("B5", "B5"), ("custom", _l("Custom"))], default="A4"
    )
    orientation = SelectField(_l("Orientation"), choices=[("landscape", _l("Landscape")), ("portrait", _l("Portrait"))])
    width_mm = FloatField(_l("Custom width (mm)"), validators=[Optional()])
    height_mm = FloatField(_l("Custom height (mm)"), validators=[Optional()])
    font1 = SelectField(_l("Main font"), choices=[], validate_choice=False, validators=[DataRequired()])
    font2 = SelectField(_l("Fallback font 1"), choices=[], validate_choice=False, validators=[Optional()])
    font3 = SelectField(_l("Fallback font 2"), choices=[], validate_choice=False, validators=[Optional()])
    background = FileField(_l("Background image (PNG or JPEG)"))
    remove_background = BooleanField(_l("Remove the background"))
    preprinted = BooleanField(_l("Pre-printed paper: leave out the background and shift by the offset"))
    offset_x_mm = FloatField(_l("Calibration offset X (mm)"), validators=[Optional()], default=0)
    offset_y_mm = FloatField(_l("Calibration offset Y (mm)"), validators=[Optional()], default=0)
    new_image = FileField(_l("Add an image item (seal, signature)"))
    items = FieldList(FormField(ItemForm), min_entries=0)
    submit = SubmitField(_l("Save template"))

    def set_font_choices(self, choices: list[tuple[str, str]]) -> None:
        self.font1.choices = choices
        self.font2.choices = [("", _l("(none)"))] + choices
        self.font3.choices = [("", _l("(none)"))] + choices
        for entry in self.items:
            entry.form.font.choices = [("", _l("Template fonts"))] + choices

    def load_spec(self, spec: TemplateSpec, blank_rows: int = 3) -> None:
        """Fill the fields from a stored design (GET)."""
        self.page_size.data, self.orientation.data = spec.page.size, spec.page.orientation
        self.width_mm.data, self.height_mm.data = spec.page.width_mm, spec.page.height_mm
        fonts = spec.fonts + ["", "", ""]
        self.font1.data, self.font2.data, self.font3.data = fonts[:3]
        self.preprinted.data = spec.preprinted
        self.offset_x_mm.data, self.offset_y_mm.data = spec.offset_x_mm, spec.offset_y_mm
        while len(self.items):
            self.items.pop_entry()
        for item in spec.items:
            self.items.append_entry(
                {
                    "kind": item.kind,
                    "x_mm": item.x_mm,
                    "y_mm": item.y_mm,
                    "width_mm": item.width_mm,
                    "height_mm": item.height_mm,
                    "text": item.text,
                    "font": item.font or "",
                    "size_pt": item.size_pt,
                    "min_size_pt": item.min_size_pt,
                    "colour": item.colour,
                    "align": item.align,
                    "line_spacing": item.line_spacing,
                    "image": item.image or "",
                }
            )
        for _i in range(blank_rows):
            self.items.append_entry({"kind": ""})

    def to_spec(self, background: str | None, extra_items: list[TemplateItem] = ()) -> TemplateSpec:
        """The design described by the submitted fields (image names already stored by the view)."""
        items = []
        for entry in self.items:
            f = entry.form
            if not f.kind.data:
                continue
            items.append(
                TemplateItem(
                    kind=f.kind.data,
                    x_mm=f.x_mm.data or 0.0,
                    y_mm=f.y_mm.data or 0.0,
                    width_mm=f.width_mm.data or 0.0,
                    height_mm=f.height_mm.data or 0.0,
                    text=f.text.data or "",
                    font=f.font.data or None,
                    size_pt=f.size_pt.data or 16.0,
                    min_size_pt=f.min_size_pt.data or 8.0,
                    colour=(f.colour.data or "#000000").strip(),
                    align=f.align.data or "left",
                    line_spacing=f.line_spacing.data or 1.4,
                    image=f.image.data or None,
                )
            )
        items.extend(extra_items)
        fonts = [k for k in (self.font1.data, self.font2.data, self.font3.data) if k]
        fonts = list(dict.fromkeys(fonts))
        page = PageSpec(self.page_size.data, self.orientation.data, self.width_mm.data, self.height_mm.data)
        return TemplateSpec(
            page=page,
            items=items,
            fonts=fonts,
            background=background,
            preprinted=bool(self.preprinted.data),
            offset_x_mm=self.offset_x_mm.data or 0.0,
            offset_y_mm=self.offset_y_mm.data or 0.0,
        )


class FontUploadForm(FlaskForm):
    font = FileField(_l("TrueType font file (.ttf or .ttc)"))
    submit = SubmitField(_l("Upload font"))


class IssueForm(FlaskForm):
    source = SelectField(_l("Holders"), choices=[], validate_choice=False, validators=[DataRequired()])
    scope_id = SelectField(
        _l("Contest, event or call"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(_l("Choose a contest, event or call."))],
    )
    template_id = SelectField(_l("Template"), coerce=int, choices=[], validate_choice=False)
    category_code = StringField(_l("Only this category code (optional)"), validators=[Optional(), Length(max=40)])
    school_id = SelectField(
        _l("Only this school (optional)"), coerce=int, choices=[], validate_choice=False, validators=[Optional()]
    )
    issue_date = DateField(_l("Issue date"), validators=[Optional()])
    public_full_name = BooleanField(_l("Show minors' full names on the public verification page"))
    accept_preflight = BooleanField(_l("Issue even though the preflight reported problems"))
    preflight = SubmitField(_l("Check first (preflight)"))
    submit = SubmitField(_l("Issue certificates"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown when the certificate is verified)"), validators=[DataRequired(), Length(min=2, max=500)]
    )
    confirm = BooleanField(
        _l("I understand that revoking cannot be undone"),
        validators=[DataRequired(_l("Tick the box to confirm: a revoked certificate cannot be made valid again."))],
    )
    submit = SubmitField(_l("Revoke the certificate"))


class ReissueForm(FlaskForm):
    holder_name = StringField(_l("Holder's name"), validators=[DataRequired(), Length(max=200)])
    school_name = StringField(_l("School"), validators=[Optional(), Length(max=200)])
    award = StringField(_l("Award"), validators=[Optional(), Length(max=100)])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=200)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    advisors = StringField(_l("Advisors"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Reissue with a new number"))


class RenderForm(FlaskForm):
    fmt = SelectField(
        _l("Output"), choices=[("pdf", _l("One merged PDF for printing")), ("zip", _l("ZIP with one PDF per holder"))]
    )
    category_code = StringField(_l("Only this category code (optional)"), validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Render"))


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a public GET search form

    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(max=64)])
    name = StringField(
        _l("Holder's name"),
        validators=[
            DataRequired(
                _l(
                    "Enter the holder's name as printed on the certificate as well: a number alone is not "
                    "enough to verify a certificate."
                )
            ),
            Length(max=200),
        ],
    )
    submit = SubmitField(_l("Verify"))
