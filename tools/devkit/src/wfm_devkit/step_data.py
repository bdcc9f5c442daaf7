"""Valid data for every step of a contract onboarding (the BRP and GU variants): what the
benchmark's workflows are filled with, and the tests' (through `wfm_testing.onboarding`).

The BRP's financial guarantee takes a copy of the guarantee as a file uploaded to the step
(`POST /files`), which its data names by id: the data here names none (the step completes
without it, the submission's documents gate refuses it); `GUARANTEE_COPY` is the document
to upload and `guarantee_document` the entry that names it once uploaded."""

from __future__ import annotations

from typing import Any

from wfm_devkit.accounts import ean18
from wfm_devkit.documents import bank_guarantee_pdf
from wfm_storage.records import Tenant


def step_data(tenant: Tenant, seed: int = 1, role: str = "BRP") -> dict[str, dict[str, Any]]:
    """Valid data for every step of a contract onboarding for `role` (BRP or GU): the base
    template's company-info, contacts and portfolio, and the role's own steps (the BRP's
    balancing-perimeter and financial-guarantee; the GU's grid-connection)."""
    main, solar = ean18(seed * 10 + 1), ean18(seed * 10 + 2)
    book = _brp_step_data(tenant, seed, main, solar)
    if role == "BRP":
        return book
    if role == "GU":
        base = {s: book[s] for s in ("company-info", "contacts")}
        grid = {
            "connections": [
                {
                    "ean": main,
                    "substation": "Villers",
                    "voltageKv": 36,
                    "contractedCapacityMva": 10,
                },
                {
                    "ean": solar,
                    "substation": "Villers",
                    "voltageKv": 36,
                    "contractedCapacityMva": 5,
                },
            ]
        }
        return {**base, "grid-connection": grid, "portfolio": book["portfolio"]}
    raise ValueError(f"no test data for the {role} onboarding")


def _brp_step_data(tenant: Tenant, seed: int, main: str, solar: str) -> dict[str, dict[str, Any]]:
    return {
        "company-info": {
            "companyName": tenant.company_name,
            "vatNumber": tenant.vat_number,
            "address": {
                "street": "Rue de la Loi 16",
                "postalCode": "1000",
                "city": "Brussels",
                "country": "BE",
            },
        },
        "contacts": {
            "contacts": [
                {
                    "name": "Lea Peeters",
                    "email": "lea@example.test",
                    "role": "primary",
                    "language": "nl",
                },
                {"name": "Marc Dubois", "email": "marc@example.test", "role": "technical"},
            ]
        },
        "balancing-perimeter": {
            "eicCode": "22XARDENNES-ENE6",
            "accessPoints": [
                {"ean": main, "name": "Main site", "capacityMw": 2.5},
                {"ean": solar, "name": "Solar park", "capacityMw": 1.2},
            ],
        },
        "financial-guarantee": {
            "amountEur": 75000,
            "issuingBank": {"name": "KBC Bank NV", "bic": "KREDBEBB"},
            "validUntil": "2028-12-31",
            "documentReference": f"KBC-GAR-2026-{seed:06d}",
        },
        "portfolio": {
            "accessPoints": [
                {"ean": main, "name": "Main site", "direction": "offtake", "capacityKw": 2500},
                {"ean": solar, "name": "Solar park", "direction": "injection"},
            ]
        },
    }


BRP_STEPS = ("company-info", "contacts", "balancing-perimeter", "financial-guarantee", "portfolio")

# The step that takes the guarantee's copy, and the copy's name and document type.
GUARANTEE_STEP = "financial-guarantee"
GUARANTEE_COPY = "guarantee.pdf"
GUARANTEE_DOCUMENT_TYPE = "bank-guarantee"


def guarantee_copy(seed: int = 1) -> bytes:
    """The PDF uploaded as the copy of the guarantee of `step_data(..., seed)`."""
    return bank_guarantee_pdf(f"KBC-GAR-2026-{seed:06d}")


def guarantee_document(file_id: str) -> dict[str, str]:
    """The `documents` entry naming the uploaded copy of the guarantee."""
    return {"type": GUARANTEE_DOCUMENT_TYPE, "fileId": file_id, "name": GUARANTEE_COPY}


def with_guarantee_copy(data: dict[str, Any], file_id: str) -> dict[str, Any]:
    """The guarantee step's data naming its uploaded copy."""
    return {**data, "documents": [guarantee_document(file_id)]}
