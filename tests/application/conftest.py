# The site, its web app and logged-in clients, as the web tests have them.
from tests.web.conftest import anonymous, app, client, site  # noqa: F401
