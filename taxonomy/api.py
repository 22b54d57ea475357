"""The programme's reference lists under /api/v1/: thematic sectors, enabling factors and
enabling themes, for every signed-in person (the pages offer them to everyone in their forms).

Other resources name an entry by its slug (a climate action's `sector`, a thematic group's
`sector`, a lever's `factor`): these lists say what each slug means. Read-only: the lists are
the programme's, changed by programme admins in the Django admin.
"""

from rest_framework import serializers, viewsets

from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector

TAXON_FIELDS = ["id", "slug", "name", "description", "position"]


class ThematicSectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThematicSector
        fields = [*TAXON_FIELDS, "offered_only"]
        read_only_fields = fields


class EnablingFactorSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnablingFactor
        fields = TAXON_FIELDS
        read_only_fields = fields


class EnablingThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnablingTheme
        fields = TAXON_FIELDS
        read_only_fields = fields


class _TaxonViewSet(viewsets.ReadOnlyModelViewSet):
    search_fields = ["name", "slug"]
    ordering_fields = ["position", "name"]
    # A list is a few dozen rows at most: one page of the default size holds it.

    def get_queryset(self):
        return self.serializer_class.Meta.model.objects.order_by("position", "name", "pk")


class ThematicSectorViewSet(_TaxonViewSet):
    """The thematic sectors (climate sectors around which thematic groups run)."""

    serializer_class = ThematicSectorSerializer


class EnablingFactorViewSet(_TaxonViewSet):
    """The enabling factors (levers of change, scored in Phase 2.2 of a roadmap and named by
    a climate action's levers)."""

    serializer_class = EnablingFactorSerializer


class EnablingThemeViewSet(_TaxonViewSet):
    """The enabling themes of city needs (the needs assessment)."""

    serializer_class = EnablingThemeSerializer
