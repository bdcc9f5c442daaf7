import pytest

from wfm_integrations.mail import (
    LocalizedMessage,
    MailDeliveryError,
    Recipient,
    SmtpMailer,
    fill,
    message_id_for,
    render,
)
from wfm_testing.peers import SmtpSink

CONTRACT_READY = LocalizedMessage(
    subject={
        "en": "Contract {contract.reference} is ready",
        "fr": "Le contrat {contract.reference} est prêt",
        "nl": "Contract {contract.reference} is klaar",
    },
    body={
        "en": "Dear {user.name},\nYour {contract.role} contract awaits your signature.",
        "fr": "Bonjour {user.name},\nVotre contrat {contract.role} attend votre signature.",
        "nl": "Beste {user.name},\nUw {contract.role}-contract wacht op uw handtekening.",
    },
)
CONTEXT = {
    "user": {"name": "Anna Dubois"},
    "contract": {"reference": "BRP-2025-0042", "role": "BRP"},
}


def test_render_picks_the_recipients_language():
    assert render(CONTRACT_READY, "nl", CONTEXT)[0] == "Contract BRP-2025-0042 is klaar"


@pytest.mark.parametrize("language", ["de", "fr-BE"])
def test_render_falls_back_to_the_primary_subtag_then_english(language):
    subject, _ = render(CONTRACT_READY, language, CONTEXT)
    expected = (
        "Le contrat BRP-2025-0042 est prêt"
        if language == "fr-BE"
        else ("Contract BRP-2025-0042 is ready")
    )
    assert subject == expected


def test_render_falls_back_to_english_when_a_translation_is_missing():
    message = LocalizedMessage(subject={"en": "Hello"}, body={"en": "Body", "nl": "Tekst"})
    assert render(message, "fr", {}) == ("Hello", "Body")


def test_unknown_placeholder_stays_as_written():
    assert (
        fill("Ref {contract.missing} for {nobody}", CONTEXT)
        == "Ref {contract.missing} for {nobody}"
    )


@pytest.mark.parametrize(
    "template",
    [
        "{__class__}",
        "{user.__class__}",
        "{user.name.__class__.__mro__}",
        "{user.name!r}",
        "{user.name:>40}",
        "{user[name]}",
        "{0}",
    ],
)
def test_attribute_access_and_format_syntax_do_nothing(template):
    assert fill(template, CONTEXT) == template


def test_a_mapping_value_is_not_dumped_into_the_text():
    assert fill("{user}", CONTEXT) == "{user}"


def test_a_localized_message_needs_english():
    with pytest.raises(ValueError, match="'en'"):
        LocalizedMessage(subject={"fr": "Bonjour"}, body={"en": "Hello"})


def test_message_id_for_is_deterministic_per_key():
    first = message_id_for("instance-7/step-notify", domain="wfm.example")
    assert first == message_id_for("instance-7/step-notify", domain="wfm.example")
    assert first != message_id_for("instance-7/step-other", domain="wfm.example")
    assert first.startswith("<")
    assert first.endswith("@wfm.example>")


async def test_french_recipient_receives_the_french_message():
    recipient = Recipient("anna@ardennes-energie.be", language="fr", name="Anna Dubois")
    subject, body = render(CONTRACT_READY, recipient.language, CONTEXT)
    message_id = "<notify-7c9e-step3@wfm.example>"
    with SmtpSink() as sink:
        mailer = SmtpMailer(sink.host, sink.port, "Market Operations <ops@wfm.example>", timeout=2)
        await mailer.send(recipient, subject, body, message_id=message_id)
        [received] = await sink.wait_for(1, timeout=2)

    assert received["Subject"] == "Le contrat BRP-2025-0042 est prêt"
    assert received.get_content().splitlines() == [  # SMTP carries CRLF line ends
        "Bonjour Anna Dubois,",
        "Votre contrat BRP attend votre signature.",
    ]
    assert received["Content-Language"] == "fr"
    assert received["Message-ID"] == message_id
    assert received["To"] == "Anna Dubois <anna@ardennes-energie.be>"
    assert received["From"] == "Market Operations <ops@wfm.example>"
    assert received["Date"] is not None


async def test_a_line_break_in_a_rendered_subject_cannot_add_a_header():
    subject = fill("Welcome {user.name}", {"user": {"name": "Eve\r\nBcc: all@example.com"}})
    with SmtpSink() as sink:
        mailer = SmtpMailer(sink.host, sink.port, "ops@wfm.example", timeout=2)
        await mailer.send(Recipient("eve@example.com"), subject, "x", message_id="<m1@wfm>")
        [received] = await sink.wait_for(1, timeout=2)
    assert received["Bcc"] is None
    assert received["Subject"] == "Welcome Eve Bcc: all@example.com"


async def test_unreachable_smtp_server_is_a_retryable_delivery_error(closed_port):
    mailer = SmtpMailer("127.0.0.1", closed_port, "ops@wfm.example", timeout=0.5)
    with pytest.raises(MailDeliveryError) as caught:
        await mailer.send(Recipient("a@example.com"), "s", "b", message_id="<m2@wfm>")
    assert caught.value.retryable
