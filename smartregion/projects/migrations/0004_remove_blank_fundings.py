"""Remove the blank funding lines the project form used to save.

Until the form ignored untouched rows, every save of a project added a line with the list's first
source ("Regional call for projects"), no programme and no amount. Such a line says nothing a team
wrote, yet it showed on the public page, in the API, the exports and the funding facet. Only those
lines go: one with a programme or an amount is kept, and so is one whose source a team chose
(another source than the list's first, even without an amount).
"""

from django.db import migrations


def remove_blank_fundings(apps, schema_editor):
    ProjectFunding = apps.get_model("projects", "ProjectFunding")
    ProjectFunding.objects.filter(
        source="regional_call", label="", amount_eur__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_authors_blank_reviewed_action")]

    operations = [migrations.RunPython(remove_blank_fundings, migrations.RunPython.noop)]
