"""The first list of sectors; managers of the network can edit it afterwards."""

from django.db import migrations

SECTORS = [
    ("education", "Educación", "Education"),
    ("health", "Salud", "Health"),
    ("roads", "Vías y movilidad", "Roads and mobility"),
    ("culture", "Cultura", "Culture"),
    ("sport", "Deporte y recreación", "Sport and recreation"),
    ("environment", "Medio ambiente", "Environment"),
    ("productive", "Proyectos productivos", "Productive projects"),
    ("public_space", "Espacio público", "Public space"),
    ("security", "Seguridad y convivencia", "Security and coexistence"),
    ("water", "Agua potable y saneamiento", "Drinking water and sanitation"),
    ("housing", "Vivienda", "Housing"),
    ("social", "Inclusión social", "Social inclusion"),
    ("rural", "Desarrollo rural", "Rural development"),
]


def load(apps, schema_editor):
    Sector = apps.get_model("proposals", "Sector")
    for position, (key, name, name_en) in enumerate(SECTORS, start=1):
        Sector.objects.update_or_create(key=key, defaults={"name": name, "name_en": name_en, "position": position})


def unload(apps, schema_editor):
    apps.get_model("proposals", "Sector").objects.filter(key__in=[key for key, _n, _e in SECTORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("proposals", "0002_proposals_supports_comments_reviews_execution")]

    operations = [migrations.RunPython(load, unload)]
