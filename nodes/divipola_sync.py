"""Bring the Department and Municipality tables in line with the shipped
DIVIPOLA file. Takes the model classes as arguments so that the data
migration (historical models from ``apps.get_model``) and the service
(``nodes.services.divipola_load``) run the very same code.

Only codes and names come from the file: tags, population and network
membership are people's edits and are never touched. Nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.divipola import municipalities


@dataclass(frozen=True, slots=True)
class DivipolaSync:
    departments_created: int
    departments_renamed: int
    municipalities_created: int
    municipalities_updated: int

    @property
    def changed(self) -> bool:
        return any(
            (
                self.departments_created,
                self.departments_renamed,
                self.municipalities_created,
                self.municipalities_updated,
            )
        )


def sync_divipola(department_model: Any, municipality_model: Any) -> DivipolaSync:
    """Insert what is missing and fix names that differ; a second run writes nothing."""
    rows = municipalities()
    wanted_departments = {row.department_code: row.department_name for row in rows}
    existing_departments = {department.code: department for department in department_model.objects.all()}
    new_departments = [
        department_model(code=code, name=name)
        for code, name in wanted_departments.items()
        if code not in existing_departments
    ]
    renamed_departments = []
    for code, department in existing_departments.items():
        if code in wanted_departments and department.name != wanted_departments[code]:
            department.name = wanted_departments[code]
            renamed_departments.append(department)
    department_model.objects.bulk_create(new_departments)
    department_model.objects.bulk_update(renamed_departments, ["name"])

    existing = {municipality.code: municipality for municipality in municipality_model.objects.all()}
    new_municipalities = []
    changed_municipalities = []
    for row in rows:
        current = existing.get(row.code)
        if current is None:
            new_municipalities.append(
                municipality_model(code=row.code, name=row.name, department_id=row.department_code)
            )
        elif current.name != row.name or current.department_id != row.department_code:
            current.name = row.name
            current.department_id = row.department_code
            changed_municipalities.append(current)
    municipality_model.objects.bulk_create(new_municipalities, batch_size=500)
    municipality_model.objects.bulk_update(changed_municipalities, ["name", "department"], batch_size=500)
    return DivipolaSync(
        departments_created=len(new_departments),
        departments_renamed=len(renamed_departments),
        municipalities_created=len(new_municipalities),
        municipalities_updated=len(changed_municipalities),
    )
