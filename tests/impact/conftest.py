from tests.backend.city.fixtures import as_role, city, city_build  # noqa: F401
