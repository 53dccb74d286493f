"""Fields stored once per site language (django-modeltranslation): French is the source and is
required where the model requires it; English, German and Dutch fall back to French."""

from modeltranslation.translator import TranslationOptions, register

from .models import GlossaryTerm, Resource


@register(Resource)
class ResourceTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "checklist")
    required_languages = {"fr": ("title",), "default": ()}
    fallback_undefined = {"title": "", "summary": "", "body": "", "checklist": ""}


@register(GlossaryTerm)
class GlossaryTermTranslation(TranslationOptions):
    fields = ("label", "definition", "synonyms")
    required_languages = {"fr": ("label", "definition"), "default": ()}
    fallback_undefined = {"label": "", "definition": "", "synonyms": ""}
