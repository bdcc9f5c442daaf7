from wfm_cli.main import app

app(prog_name="wfm")
