"""Attachments: files uploaded to workflow steps (stored in MongoDB, indexed in PostgreSQL under row-level security), the content type read from their bytes, and the virus-scanning hook."""
