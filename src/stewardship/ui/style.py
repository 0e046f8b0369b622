"""Colours and the application style sheet, in one place."""

from __future__ import annotations

from PySide6.QtGui import QColor

ACCENT = "#2f5d8a"
DANGER = "#b3261e"
DANGER_BG = "#fdecea"
WARNING = "#8a5a00"
WARNING_BG = "#fff4d6"
OK = "#2e7d32"
MUTED = "#5f6b7a"
SIDEBAR_BG = "#1f2a37"
#: where the keyboard is: a ring on a primary button, a tint behind a check box
FOCUS_DARK = "#0f2a44"
FOCUS_BG = "#dbe8f5"

OVERDUE_FG = QColor(DANGER)
OVERDUE_BG = QColor(DANGER_BG)
WARNING_ROW_BG = QColor(WARNING_BG)
MUTED_FG = QColor(MUTED)

STYLE_SHEET = f"""
QMainWindow, QWidget#page {{ background: #f6f7f9; }}
QListWidget#sidebar {{
    background: {SIDEBAR_BG}; color: #d8dee6; border: none; font-size: 14px;
    padding-top: 8px; outline: none;
}}
QListWidget#sidebar::item {{ padding: 9px 14px; border-left: 3px solid transparent; }}
QListWidget#sidebar::item:selected {{
    background: #2c3b4d; color: white; border-left: 3px solid #7fb2e5;
}}
QListWidget#sidebar:focus {{ border-right: 3px solid #7fb2e5; }}
QListWidget#sidebar::item:disabled {{ color: #7d8896; }}
QLabel#pageTitle {{ font-size: 20px; font-weight: 600; color: #1c2733; }}
QLabel#pageSubtitle {{ color: {MUTED}; }}
QFrame#card {{
    background: white; border: 1px solid #dde2e8; border-radius: 8px;
}}
QFrame#card[alert="true"] {{ border: 1px solid #e6b0aa; background: #fff8f7; }}
QLabel#cardValue {{ font-size: 28px; font-weight: 600; color: #1c2733; }}
QFrame#card[alert="true"] QLabel#cardValue {{ color: {DANGER}; }}
QLabel#cardCaption {{ color: {MUTED}; }}
QTableView {{
    background: white; border: 1px solid #dde2e8; gridline-color: #eef1f4;
    selection-background-color: #d6e6f5; selection-color: black;
}}
QHeaderView::section {{
    background: #eef1f4; border: none; border-bottom: 1px solid #dde2e8;
    padding: 5px 6px; font-weight: 600; color: #2d3a48;
}}
QLineEdit, QPlainTextEdit, QComboBox {{
    background: white; border: 1px solid #c5cdd6; border-radius: 4px; padding: 4px 6px;
}}
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus {{
    border: 2px solid {ACCENT}; padding: 3px 5px;
}}
QAbstractSpinBox {{
    background: white; border: 1px solid #c5cdd6; border-radius: 4px; padding: 2px 4px;
}}
QAbstractSpinBox:focus {{ border: 2px solid {ACCENT}; padding: 1px 3px; }}
QAbstractSpinBox QLineEdit, QAbstractSpinBox QLineEdit:focus {{
    border: none; padding: 0; background: transparent;
}}
QComboBox QAbstractItemView {{
    background: white; color: #1c2733; border: 1px solid #c5cdd6; outline: none;
    selection-background-color: {ACCENT}; selection-color: white;
}}
QComboBox QAbstractItemView::item {{ min-height: 22px; padding: 0 6px; }}
QComboBox QAbstractItemView::item:selected {{ background: {ACCENT}; color: white; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {{
    border: 1px solid {DANGER}; background: {DANGER_BG};
}}
QLabel[role="error"] {{ color: {DANGER}; font-size: 12px; }}
QLabel[role="hint"] {{ color: {MUTED}; font-size: 12px; }}
QPushButton {{
    background: white; border: 1px solid #c5cdd6; border-radius: 4px; padding: 5px 14px;
}}
QPushButton:hover {{ background: #eef3f8; }}
QPushButton:default, QPushButton[primary="true"] {{
    background: {ACCENT}; color: white; border: 1px solid {ACCENT};
}}
QPushButton:focus {{ border: 2px solid {ACCENT}; padding: 4px 13px; }}
QPushButton:default:focus, QPushButton[primary="true"]:focus {{
    border: 2px solid {FOCUS_DARK};
}}
QCheckBox:focus, QRadioButton:focus {{
    background: {FOCUS_BG}; border-radius: 3px;
}}
QTableView:focus, QTreeView:focus, QListView:focus {{ border: 2px solid {ACCENT}; }}
QTabBar::tab:focus {{ color: {ACCENT}; text-decoration: underline; }}
QPushButton:disabled {{ background: #e9ecef; color: #98a2ad; border: 1px solid #d5dae0; }}
QFrame#panel {{ background: white; border: 1px solid #dde2e8; border-radius: 8px; }}
QWidget#formPage {{ background: white; }}
QListWidget#conflictList {{ background: white; border: 1px solid #dde2e8; }}
QListWidget#conflictList:focus {{ border: 2px solid {ACCENT}; }}
QListWidget#conflictList::item {{ padding: 8px 10px; border-bottom: 1px solid #eef1f4; }}
QListWidget#conflictList::item:selected {{ background: #d6e6f5; color: black; }}
QStatusBar {{ background: #eef1f4; color: #2d3a48; padding-left: 8px; }}
"""
