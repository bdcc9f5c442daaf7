import pytest
from engine_story import Story


@pytest.fixture
def story():
    created = Story()
    created.create()
    return created
