"""登录."""

from __future__ import annotations

import streamlit as st

from web import auth

FIRST_ADMIN = (
    "还没有管理员账号。请在服务器上运行 `tousu user add 用户名 --role admin` "
    "创建第一个管理员（按提示输入密码），然后在这里登录。"
)


def render() -> None:
    st.title("登录")
    st.caption("工作人员与管理层请登录；记者请使用管理员提供的分享链接。")
    if auth.no_administrator():
        st.info(FIRST_ADMIN)
    with st.form("login"):
        username = st.text_input("用户名", key="lg_user", autocomplete="username")
        password = st.text_input(
            "密码", type="password", key="lg_password", autocomplete="current-password"
        )
        if st.form_submit_button("登录", type="primary"):
            st.session_state["login_request"] = (username, password)
            st.rerun()
    error = st.session_state.pop("login_error", None)
    if error:
        st.error(error)


if __name__ == "__main__":
    render()
