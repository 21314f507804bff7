"""登录."""

from __future__ import annotations

import streamlit as st


def render() -> None:
    st.title("登录")
    st.caption("工作人员与管理层请登录；记者请使用管理员提供的分享链接。")
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
