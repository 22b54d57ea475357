"""Each option copied from a ready template keeps its label in the template
(`Option.template_ref`), as each question keeps its key (`Question.template_key`, 0003), so
that comparisons match the copies of one template however their builders reworded them
(feedback/comparison.py).

Surveys copied before 0003 and this migration get both where a question's text (an option's
label) is still the template's: that is the only identity they kept. A question reworded since
stays unmatched, and the comparison page lists it as such.
"""

from django.db import migrations, models


def _template_texts():
    """{template key: ({question text: [(section title, key), ...]}, {question key: set of
    option labels})}, from the templates as they are when the migration runs (they are data,
    feedback/survey_templates.py)."""
    from feedback.survey_templates import POST_SESSION_SUBTOPICS, TEMPLATES

    found = {}
    for template in TEMPLATES.values():
        texts, labels = {}, {}
        for section in template.sections:
            for spec in section.questions:
                texts.setdefault(spec.text, []).append((section.title, spec.key))
                if spec.sector_subtopics:
                    labels[spec.key] = {
                        label for options in POST_SESSION_SUBTOPICS.values() for label in options
                    }
                else:
                    labels[spec.key] = set(spec.options)
        found[template.key] = (texts, labels)
    return found


def _key_of(question, texts, used):
    """The template's key of a question with the template's words: the one of its section
    where the template asks the same words twice (the recap survey), else the first unused."""
    keys = [(title, key) for title, key in texts.get(question.text, []) if key not in used]
    for title, key in keys:
        if title == question.section.title:
            return key
    return keys[0][1] if keys else None


def refs_fill(apps, schema_editor):
    Survey = apps.get_model("feedback", "Survey")
    Question = apps.get_model("feedback", "Question")
    Option = apps.get_model("feedback", "Option")
    templates = _template_texts()
    for survey in Survey.objects.filter(template_key__in=list(templates)):
        texts, labels = templates[survey.template_key]
        used = set()
        questions = (
            Question.objects.filter(section__survey=survey)
            .select_related("section")
            .order_by("section__position", "position")
        )
        for question in questions:
            key = question.template_key or _key_of(question, texts, used)
            if key is None or key in used or key not in labels:
                continue
            used.add(key)
            if not question.template_key:
                question.template_key = key
                question.save(update_fields=["template_key"])
            for option in Option.objects.filter(question=question, label__in=labels[key]):
                option.template_ref = option.label
                option.save(update_fields=["template_ref"])


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_needs"),
    ]

    operations = [
        migrations.AddField(
            model_name="option",
            name="template_ref",
            field=models.CharField(blank=True, editable=False, max_length=2000),
        ),
        migrations.RunPython(refs_fill, migrations.RunPython.noop),
    ]
