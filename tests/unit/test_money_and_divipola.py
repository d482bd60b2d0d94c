import pytest

from accounts.divipola import municipalities, municipality_by_code, title_es
from redplypp.money import format_pesos


@pytest.mark.parametrize(
    ("amount", "language", "shown"),
    [
        (1_250_000, "es", "$ 1.250.000"),
        (0, "es", "$ 0"),
        (999, "es-co", "$ 999"),
        (442_000_000_000, "es", "$ 442.000.000.000"),
        (1_250_000, "en", "$ 1,250,000"),
        (-5_000, "es", "-$ 5.000"),
    ],
)
def test_format_pesos(amount, language, shown):
    assert format_pesos(amount, language=language) == shown


def test_format_pesos_refuses_floats():
    with pytest.raises(TypeError):
        format_pesos(1.5)  # type: ignore[arg-type]


def test_divipola_has_every_municipal_unit_and_department():
    units = municipalities()
    assert len(units) == 1122
    assert len({unit.department_code for unit in units}) == 33
    assert all(len(unit.code) == 5 and unit.code.startswith(unit.department_code) for unit in units)


def test_divipola_keeps_leading_zeros_and_shows_title_case():
    assert municipality_by_code()["05001"].name == "Medellín"
    assert municipality_by_code()["54001"].name == "San José de Cúcuta"
    assert municipality_by_code()["11001"].name == "Bogotá, D.C."
    assert municipality_by_code()["52001"].department_name == "Nariño"


def test_title_es_keeps_articles_lower_case():
    assert title_es("EL CARMEN DE VIBORAL") == "El Carmen de Viboral"
    assert title_es("SAN JUAN DE RIOSECO") == "San Juan de Rioseco"
