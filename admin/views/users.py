"""用户管理: accounts, roles, disabling, password resets and the login throttle — administrators."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from admin import editing
from admin.common import keep_until_saved, opened, read, run_write
from models.access import users
from models.access.roles import ROLE_NAMES, ROLES
from models.reads.platforms import platforms as all_platforms

PAGE = "us"


def _platform_names() -> list[str]:
    return sorted(p.name for p in read(all_platforms).values())


def _add_form(who) -> None:
    """A new account; its first password must be changed at the first login. A refused
    one keeps what was typed."""
    keep_until_saved(
        "us_added",
        {"us_new_name": "", "us_new_role": ROLES[0], "us_new_platforms": [], "us_new_pw": ""},
    )
    with st.form("us_add"):
        st.markdown("**新建用户**")
        name = st.text_input("用户名", key="us_new_name")
        role = st.selectbox(
            "角色", ROLES, format_func=ROLE_NAMES.get, key="us_new_role", placeholder="选择角色"
        )
        owned = st.multiselect(
            "负责平台（仅“平台”角色）",
            _platform_names(),
            key="us_new_platforms",
            placeholder="平台账号只能看到并回复这些平台的投诉",
        )
        password = st.text_input("初始密码", type="password", key="us_new_pw")
        st.caption(users.password_rules())
        if st.form_submit_button("创建", type="primary") and run_write(
            users.add_user,
            who,
            name,
            role,
            password,
            must_change_password=True,
            platforms=owned,
            success=f"已创建用户 {name}（首次登录须修改密码）",
        ):
            st.session_state["us_added"] = True
            st.rerun()


def _manage(who, accounts) -> None:
    """Role, disable/enable, lift a login limit, a one-time password — for one account.

    Each save sends the account's version as it was when this form was drawn: a change
    made meanwhile by another admin refuses it, saying who changed what (admin/editing.py).
    """
    st.markdown("**管理用户**")
    chosen = st.selectbox(
        "选择用户",
        [u.username for u in accounts],
        index=None,
        key="us_pick",
        placeholder="选择用户",
    )
    if not chosen:
        return
    info = next(u for u in accounts if u.username == chosen)
    form_key = f"us_role_{chosen}"
    seen = editing.seen_version(PAGE, chosen, info.version, form_key)
    notice = st.container()
    refused = False

    def save(write, *args, success: str, **kwargs) -> bool:
        nonlocal refused
        if run_write(write, who, chosen, *args, seen_version=seen, success=success, **kwargs):
            editing.forget_seen(PAGE, chosen)
            return True
        refused = True
        return False

    role = st.selectbox(
        "角色",
        ROLES,
        index=ROLES.index(info.role),
        format_func=ROLE_NAMES.get,
        key=form_key,
        placeholder="选择角色",
    )
    owned: list[str] = []
    if role == "platform":
        owned = st.multiselect(
            "负责平台",
            _platform_names(),
            default=list(info.platforms),
            key=f"us_platforms_{chosen}",
            placeholder="平台账号只能看到并回复这些平台的投诉",
        )
    c1, c2, c3 = st.columns(3)
    # Say what changed: the role, or (the role kept) only a platform account's platforms.
    saved = (
        f"{chosen} 的角色已改为{ROLE_NAMES[role]}"
        if role != info.role
        else f"{chosen} 负责的平台已改为{'、'.join(owned) or '（无）'}"
    )
    if (
        (role != info.role or tuple(sorted(owned)) != tuple(sorted(info.platforms)))
        and c1.button("保存角色", key=f"us_setrole_{chosen}")
        and save(users.set_role, role, platforms=owned, success=saved)
    ):
        st.rerun()
    label = "启用" if info.disabled else "停用"
    if c2.button(label, key=f"us_toggle_{chosen}") and save(
        users.set_disabled, not info.disabled, success=f"{chosen} 已{label}"
    ):
        st.rerun()
    if (
        info.throttled_until
        and c3.button("解除登录限制", key=f"us_unlock_{chosen}")
        and run_write(users.unlock, who, chosen, success=f"已解除 {chosen} 的登录限制")
    ):
        st.rerun()
    if st.button("重置密码（生成一次性密码）", key=f"us_reset_{chosen}"):
        temporary = users.generate_password()
        if save(
            users.set_password, temporary, one_time=True, success=f"{chosen} 的一次性密码已生成"
        ):
            st.session_state["us_temp"] = (chosen, temporary)
    temp = st.session_state.get("us_temp")
    if temp and temp[0] == chosen:
        st.warning("一次性密码只显示这一次，请当面或经安全渠道告知；对方登录后须修改。")
        st.code(temp[1], language=None)
    with notice:
        editing.changed_notice(
            PAGE,
            who,
            chosen,
            seen,
            info.version,
            explain=not refused,
            describe=users.describe_changes,
            subject=f"账号“{chosen}”",
        )


def render() -> None:
    who = opened(__file__, "用户管理")
    accounts = read(users.list_users, who)
    frame = pd.DataFrame(
        [
            {
                "用户名": u.username,
                "角色": ROLE_NAMES[u.role],
                "负责平台": "、".join(u.platforms),
                "状态": "已停用" if u.disabled else "正常",
                "登录限制至": f"{u.throttled_until:%Y-%m-%d %H:%M:%S}" if u.throttled_until else "",
                "需改密码": "是" if u.must_change_password else "",
                "相似账号": f"像 {u.looks_like}" if u.looks_like else "",
                "创建时间": f"{u.created_at:%Y-%m-%d}",
            }
            for u in accounts
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="us_table")
    left, right = st.columns(2)
    with left:
        _add_form(who)
    with right:
        _manage(who, accounts)


if __name__ == "__main__":
    render()
