"""Payments pages: record and apply payments, applications, payment terms, vendor bills, financial reports."""

from fastapi import APIRouter

router = APIRouter()
