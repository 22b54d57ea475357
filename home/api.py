"""The API's cross-app endpoint: the signed-in person with their roles and cities."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cities.selectors import cities_of_officer


class MeCitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField(source="country.iso_code")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    organisation = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    cities = serializers.SerializerMethodField()

    def get_cities(self, user) -> list[dict]:
        return MeCitySerializer(cities_of_officer(user=user), many=True).data


class MeView(APIView):
    """The signed-in person: roles and the cities they are an officer of."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
