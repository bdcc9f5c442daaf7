"""The directory: tenants (market participants) and the users who log in for them."""

from wfm_directory.tenants import TenantProfile, TenantService
from wfm_directory.users import IssuedToken, UserService

__all__ = ["IssuedToken", "TenantProfile", "TenantService", "UserService"]
