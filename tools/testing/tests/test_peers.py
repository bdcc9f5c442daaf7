from email.message import EmailMessage

import aiosmtplib
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from wfm_testing.peers import SmtpSink, serve_asgi


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"path": request.url.path, "q": request.query_params.get("q")})


async def test_serve_asgi_answers_http_on_loopback():
    app = Starlette(routes=[Route("/echo", echo)])
    async with serve_asgi(app) as base_url, httpx.AsyncClient() as client:
        assert base_url.startswith("http://127.0.0.1:")
        response = await client.get(f"{base_url}/echo", params={"q": "grid"})
    assert response.status_code == 200
    assert response.json() == {"path": "/echo", "q": "grid"}


async def test_serve_asgi_stops_listening_on_exit():
    async with serve_asgi(Starlette(routes=[Route("/echo", echo)])) as base_url:
        pass
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{base_url}/echo")


async def test_smtp_sink_receives_a_mail_sent_with_aiosmtplib():
    message = EmailMessage()
    message["From"] = "wfm@grid.example"
    message["To"] = "anna@ardennes-energie.be"
    message["Subject"] = "Bienvenue"
    message.set_content("Votre contrat est prêt.")
    with SmtpSink() as sink:
        await aiosmtplib.send(message, hostname=sink.host, port=sink.port, timeout=2)
        [received] = await sink.wait_for(1, timeout=2)
    assert received["Subject"] == "Bienvenue"
    assert received["To"] == "anna@ardennes-energie.be"
    assert received.get_content().strip() == "Votre contrat est prêt."


async def test_smtp_sink_wait_for_times_out_when_nothing_arrives():
    with SmtpSink() as sink, pytest.raises(TimeoutError, match="expected 1"):
        await sink.wait_for(1, timeout=0.05)
