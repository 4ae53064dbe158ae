# Every test in this folder gets the harness's fixtures (browser, base_url, admin, fetch_json) and
# the console's (api, customer, console, …: console_pages.py).
pytest_plugins = ["harness", "console_pages"]
