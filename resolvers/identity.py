"""Sign-in, registration, recovery, profile and linked accounts."""

from __future__ import annotations

from decimal import Decimal

import models
from resolvers.common import mutation, query
from resolvers.context import Context
from services.identity import auth, linked_accounts, profile, recovery, registration, revocation
from services.identity import captcha as captchas
from services.identity.captcha import CaptchaView
from services.identity.recovery import PasswordResetView
from services.identity.registration import RegistrationRequest, RegistrationView


def _user_agent(ctx: Context) -> str | None:
    return ctx.request.headers.get("User-Agent")


# Kinds of expensive work of which one operation does at most one (Context.take_work).
PASSWORD_CHECK = "password"
CAPTCHA_IMAGE = "captcha"
CODE_SENT = "code"


@mutation
async def login(
    ctx: Context,
    *,
    login: str,
    password: str,
    captcha_id: str | None = None,
    captcha_answer: str | None = None,
) -> auth.Tokens:
    ctx.take_work(PASSWORD_CHECK)
    return await auth.login(
        ctx.rt,
        login=login,
        password=password,
        captcha=auth.Captcha(captcha_id or "", captcha_answer or ""),
        ip=ctx.ip,
        user_agent=_user_agent(ctx),
    )


@mutation
async def refresh_token(ctx: Context, *, refresh_token: str) -> auth.Tokens:
    return await auth.refresh(ctx.rt, refresh_token=refresh_token)


@mutation
async def logout(ctx: Context) -> bool:
    viewer = await ctx.require_viewer()
    await auth.logout(session_id=viewer.session_id, rt=ctx.rt)
    return True


@query
async def captcha(ctx: Context) -> CaptchaView:
    ctx.take_work(CAPTCHA_IMAGE)
    return await captchas.new_challenge(ctx.rt)


@mutation
async def start_registration(ctx: Context, *, request: RegistrationRequest) -> RegistrationView:
    ctx.take_work(PASSWORD_CHECK)
    return await registration.start(ctx.rt, request=request, ip=ctx.ip)


@mutation
async def bind_account(
    ctx: Context, *, registration_id: str, account_number: str
) -> RegistrationView:
    return await registration.bind_account(
        ctx.rt, registration_id=registration_id, account_number=account_number, ip=ctx.ip
    )


@mutation
async def confirm_binding(
    ctx: Context, *, registration_id: str, bill_total: Decimal
) -> RegistrationView:
    ctx.take_work(CODE_SENT)
    return await registration.confirm_binding(
        ctx.rt, registration_id=registration_id, bill_total=bill_total
    )


@mutation
async def resend_registration_code(ctx: Context, *, registration_id: str) -> RegistrationView:
    ctx.take_work(CODE_SENT)
    return await registration.resend(ctx.rt, registration_id=registration_id)


@mutation
async def complete_registration(ctx: Context, *, registration_id: str, code: str) -> auth.Tokens:
    return await registration.complete(
        ctx.rt,
        registration_id=registration_id,
        code=code,
        ip=ctx.ip,
        user_agent=_user_agent(ctx),
    )


@mutation
async def activate_email(ctx: Context, *, token: str) -> auth.Tokens:
    return await registration.activate_email(
        ctx.rt, token=token, ip=ctx.ip, user_agent=_user_agent(ctx)
    )


@mutation
async def request_password_reset(
    ctx: Context,
    *,
    channel: models.ContactChannel,
    contact: str,
    captcha_id: str,
    captcha_answer: str,
) -> bool:
    ctx.take_work(CODE_SENT)
    await recovery.request(
        ctx.rt,
        channel=channel,
        contact=contact,
        captcha_id=captcha_id,
        captcha_answer=captcha_answer,
    )
    return True


@mutation
async def verify_password_reset(ctx: Context, *, contact: str, code: str) -> PasswordResetView:
    return await recovery.verify(ctx.rt, contact=contact, code=code)


@mutation
async def reset_password(
    ctx: Context, *, reset_token: str, login: str, password: str, password_repeat: str
) -> bool:
    await recovery.reset(
        ctx.rt,
        reset_token=reset_token,
        login=login,
        password=password,
        password_repeat=password_repeat,
    )
    return True


@mutation
async def change_password(
    ctx: Context, *, current_password: str, password: str, password_repeat: str
) -> bool:
    ctx.take_work(PASSWORD_CHECK)
    viewer = await ctx.require_viewer()
    await profile.change_password(
        ctx.rt,
        user=viewer.user,
        session_id=viewer.session_id,
        current_password=current_password,
        password=password,
        password_repeat=password_repeat,
        ip=ctx.ip,
    )
    return True


@mutation
async def change_contact(
    ctx: Context, *, channel: models.ContactChannel, contact: str, current_password: str
) -> bool:
    ctx.take_work(PASSWORD_CHECK)
    ctx.take_work(CODE_SENT)
    await profile.change_contact(
        ctx.rt,
        user=await ctx.require_user(),
        channel=channel,
        contact=contact,
        current_password=current_password,
        ip=ctx.ip,
    )
    return True


@mutation
async def confirm_email(ctx: Context, *, token: str) -> models.User:
    return await profile.confirm_email(ctx.rt, viewer=await ctx.user_if_valid(), token=token)


@mutation
async def confirm_phone(ctx: Context, *, code: str) -> models.User:
    return await profile.confirm_phone(ctx.rt, user=await ctx.require_user(), code=code)


@mutation
async def update_settings(
    ctx: Context,
    *,
    subscribed_to_mailing: bool | None,
    allow_readings_without_auth: bool | None,
    receipt_copies: bool | None,
    reminder_channel: models.ReminderChannel | None,
) -> models.User:
    return await profile.update_settings(
        user=await ctx.require_user(),
        subscribed_to_mailing=subscribed_to_mailing,
        allow_readings_without_auth=allow_readings_without_auth,
        receipt_copies=receipt_copies,
        reminder_channel=reminder_channel,
    )


@mutation
async def link_account(ctx: Context, *, login: str, password: str) -> models.Account:
    ctx.take_work(PASSWORD_CHECK)
    return await linked_accounts.link_account(
        ctx.rt, user=await ctx.require_user(), login=login, password=password, ip=ctx.ip
    )


@mutation
async def unlink_account(ctx: Context, *, account_number: str) -> bool:
    user = await ctx.require_user()
    await linked_accounts.unlink_account(user=user, account_number=account_number)
    # The user's open subscriptions of that account end (on every server process).
    await revocation.account_unlinked(ctx.rt, user_id=user.id, account_number=account_number)
    return True
