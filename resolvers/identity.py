"""Sign-in, registration, recovery, profile and linked accounts."""

from __future__ import annotations

import models
from resolvers.common import mutation
from resolvers.context import Context
from services import auth
from services.errors import DomainError, ErrorCode
from services.identity import CaptchaView, PasswordResetView, RegistrationRequest, RegistrationView

_TODO = DomainError.of(ErrorCode.INVALID_INPUT, "Эта операция пока недоступна.")


@mutation
async def login(ctx: Context, *, login: str, password: str) -> auth.Tokens:
    return await auth.login(
        ctx.rt,
        login=login,
        password=password,
        ip=ctx.ip,
        user_agent=ctx.request.headers.get("User-Agent"),
    )


@mutation
async def refresh_token(ctx: Context, *, refresh_token: str) -> auth.Tokens:
    return await auth.refresh(ctx.rt, refresh_token=refresh_token)


@mutation
async def logout(ctx: Context) -> bool:
    viewer = await ctx.require_viewer()
    await auth.logout(session_id=viewer.session_id)
    return True


async def captcha(ctx: Context) -> CaptchaView:
    raise _TODO


@mutation
async def start_registration(ctx: Context, *, request: RegistrationRequest) -> RegistrationView:
    raise _TODO


@mutation
async def bind_account(
    ctx: Context, *, registration_id: str, account_number: str
) -> RegistrationView:
    raise _TODO


@mutation
async def confirm_binding(ctx: Context, *, registration_id: str) -> RegistrationView:
    raise _TODO


@mutation
async def resend_registration_code(ctx: Context, *, registration_id: str) -> RegistrationView:
    raise _TODO


@mutation
async def complete_registration(ctx: Context, *, registration_id: str, code: str) -> auth.Tokens:
    raise _TODO


@mutation
async def activate_email(ctx: Context, *, token: str) -> auth.Tokens:
    raise _TODO


@mutation
async def request_password_reset(
    ctx: Context,
    *,
    channel: models.ContactChannel,
    contact: str,
    captcha_id: str,
    captcha_answer: str,
) -> bool:
    raise _TODO


@mutation
async def verify_password_reset(ctx: Context, *, contact: str, code: str) -> PasswordResetView:
    raise _TODO


@mutation
async def reset_password(
    ctx: Context, *, reset_token: str, login: str, password: str, password_repeat: str
) -> bool:
    raise _TODO


@mutation
async def change_password(
    ctx: Context, *, current_password: str, password: str, password_repeat: str
) -> bool:
    raise _TODO


@mutation
async def change_email(ctx: Context, *, email: str) -> bool:
    raise _TODO


@mutation
async def confirm_email(ctx: Context, *, token: str) -> models.User:
    raise _TODO


@mutation
async def change_phone(ctx: Context, *, phone: str) -> bool:
    raise _TODO


@mutation
async def confirm_phone(ctx: Context, *, code: str) -> models.User:
    raise _TODO


@mutation
async def update_settings(
    ctx: Context,
    *,
    subscribed_to_mailing: bool | None,
    allow_readings_without_auth: bool | None,
    receipt_copies: bool | None,
) -> models.User:
    raise _TODO


@mutation
async def link_account(ctx: Context, *, login: str, password: str) -> models.Account:
    raise _TODO


@mutation
async def unlink_account(ctx: Context, *, account_number: str) -> bool:
    raise _TODO
