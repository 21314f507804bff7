"""我的账号: change your own password; log out."""

from __future__ import annotations

import streamlit as st

from admin.common import keep_until_saved, opened, run_action
from models.access import users
from web import auth, data
from web.markup import literal
from web.viewer import current_viewer


def render() -> None:
    who = opened(__file__, "我的账号")
    viewer = current_viewer()
    st.caption(f"当前用户：{literal(viewer.username)}")
    if viewer.must_change_password:
        st.warning("请先设置新密码（一次性密码只能用于首次登录）。")
    # A refused change keeps all three fields as typed (clear_on_submit would empty them).
    keep_until_saved("ac_saved", {"ac_current": "", "ac_new": "", "ac_again": ""})
    with st.form("ac_pw"):
        current = st.text_input("当前密码", type="password", key="ac_current")
        new = st.text_input("新密码", type="password", key="ac_new")
        again = st.text_input("再输入一次新密码", type="password", key="ac_again")
        st.caption(users.password_rules())
        if st.form_submit_button("修改密码", type="primary"):
            if new != again:
                st.error("两次输入的新密码不一致")
            elif run_action(  # the current password is checked through the login throttle
                users.change_own_password,
                data.engine(data.database_url()),
                who,
                current,
                new,
                client=auth.client_address(),
                success="密码已修改，其他设备上的登录均已退出",
            ):
                # The change ended every session of the account: this browser gets a new one.
                st.session_state["renew_requested"] = True
                st.session_state["ac_saved"] = True
                st.rerun()
    if st.button("退出登录", key="ac_logout"):
        st.session_state["logout_requested"] = True
        st.rerun()


if __name__ == "__main__":
    render()
