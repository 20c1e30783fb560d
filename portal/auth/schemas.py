"""The login form (HTML, with its CSRF token) and the session document of the API."""
from __future__ import annotations

import marshmallow as ma
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):  # type: ignore[misc]
    name = StringField("用户名 · User name", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("密码 · Password", validators=[DataRequired(), Length(max=1024)])


class SessionSchema(ma.Schema):
    """Who the caller is, and the CSRF token a browser sends (X-CSRFToken) on state-changing calls."""

    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": ["enterprise", "terminal", "port-office"]})
    uscc = ma.fields.String(allow_none=True)
    terminal = ma.fields.String(allow_none=True)
    csrf_token = ma.fields.String(required=True)
