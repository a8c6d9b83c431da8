"""Demo step: the instruments of the demo survey responses and their families; with
``--instruments FILE --mapping MAP``, that file too (e.g. the HUGGO agreements)."""

from __future__ import annotations

import time
from typing import Any

from iocompendium.instruments import services
from iocompendium.instruments.mapping import MappingError


def run(context: Any) -> None:
    started = time.monotonic()
    services.ensure_default_types()
    synced = services.sync_approved_responses()
    path = context.options.get("instruments")
    if path:
        mapping_path = context.options.get("mapping")
        if not mapping_path:
            context.write("Instruments skipped: --instruments needs --mapping.")
        else:
            try:
                report = services.import_instruments(path, mapping_path)
            except (services.ImportRefused, MappingError) as error:
                context.write(f"Instruments not imported: {error}")
            else:
                context.write(
                    f"Instruments from {report.source}: {report.created} new, "
                    f"{report.updated} updated, {len(report.warnings)} warning(s)."
                )
                if report.attribution:
                    context.write(f"Data: {report.attribution}")
    run_ = services.compute_families(seed=1, bootstrap=10)
    families = f", {run_.families.count()} families" if run_ else ""
    context.write(
        f"Instruments: {synced} from approved survey responses{families} "
        f"({time.monotonic() - started:.1f} s)."
    )
