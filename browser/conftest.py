# Every test in this folder gets the harness's fixtures (browser, base_url, admin, fetch_json).
pytest_plugins = ["harness"]
