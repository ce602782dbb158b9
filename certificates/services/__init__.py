"""Certificate services, one module per concern (issue 24): fonts, templates, issuing, verification, listing,
rendering. Every state change flushes and never commits; views, API, CLI and jobs commit.

This package re-exports every service so callers keep `from certificates import services`."""

from __future__ import annotations

from certificates.services.base import (  # noqa: F401
    _TOKEN_RE,
    KIND_LABELS,
    STATUS_LABELS,
    TOKEN_BYTES,
    kind_label,
    new_token,
    verify_url,
)
from certificates.services.files import (  # noqa: F401
    MAX_IMAGE_PIXELS,
    discard_images,
    image_path,
    storage_dir,
    store_image,
)
from certificates.services.fonts import (  # noqa: F401
    FontInfo,
    _font_index,
    available_faces,
    font_error_message,
    font_overview,
    system_faces,
    upload_font,
    uploaded_faces,
)
from certificates.services.issuing import (  # noqa: F401
    REISSUE_FIELDS,
    IssuePlan,
    _numbers_taken,
    _scope_code_of,
    collect_batch,
    filter_holders,
    format_issue_date,
    holder_data,
    issue_certificates,
    plan_issue,
    preflight_messages,
    reissue_certificate,
    revoke_certificate,
    series_code,
    take_numbers,
)
from certificates.services.listing import (  # noqa: F401
    ScopeSummary,
    certificates_stmt,
    scope_summaries,
)
from certificates.services.rendering import (  # noqa: F401
    MissingGlyphs,
    PrintItem,
    RenderRequest,
    certificate_data,
    missing_glyphs,
    print_check,
    print_items,
    render_items_pdf,
    render_items_zip,
    render_merged_pdf,
    render_single_pdf,
    render_zip,
    run_render,
    safe_filename,
    start_render_job,
)
from certificates.services.templates import (  # noqa: F401
    NEUTRAL_ACCENT,
    TemplateBrand,
    archive_template,
    calibration_pdf,
    check_template,
    create_template,
    default_fonts,
    default_spec,
    duplicate_template,
    layout_check,
    pattern_message,
    preview_pdf,
    preview_png,
    problem_messages,
    renderer_for,
    resolve_spec,
    template_brand,
    templates_for,
    update_template,
)
from certificates.services.verification import (  # noqa: F401
    _normalise_name,
    certificate_by_number_and_name,
    certificate_by_token,
    check_download_signature,
    download_signature,
    download_url,
    holder_certificates,
    public_holder_name,
    verification_payload,
)
