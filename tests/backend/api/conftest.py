from tests.backend.city.fixtures import as_role  # noqa: F401
