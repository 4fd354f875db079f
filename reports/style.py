"""The report's look: one restrained palette and the inline styles of the e-mail HTML.

Mail clients (Gmail, Outlook) drop or ignore ``<style>`` blocks, so every element carries its style
inline. No CSS inliner is installed, so the styles are written here once, by role, and the template
uses them by name (``style.h2``); the palette is shared with the charts.
"""

from __future__ import annotations

PALETTE = {
    "ink": "#1f2933",
    "muted": "#6b7280",
    "rule": "#e3e6ea",
    "paper": "#ffffff",
    "canvas": "#f3f4f6",
    "accent": "#1d4e89",
    "positive": "#2f855a",
    "neutral": "#c3c9d1",
    "negative": "#c0392b",
    "panel": "#f7f8fa",
}

FONT = "'Helvetica Neue', Helvetica, Arial, 'DejaVu Sans', sans-serif"

_P = PALETTE
STYLE = {
    "body": f"margin:0;padding:0;background:{_P['canvas']};",
    "canvas": f"background:{_P['canvas']};width:100%;",
    "sheet": f"background:{_P['paper']};width:100%;max-width:640px;font-family:{FONT};color:{_P['ink']};",
    "pad": "padding:28px 32px;",
    "section": "padding:18px 32px 18px 32px;",
    "masthead": f"padding:28px 32px 20px 32px;border-bottom:3px solid {_P['accent']};",
    "kicker": f"font-size:11px;letter-spacing:2px;text-transform:uppercase;color:{_P['accent']};font-weight:bold;",
    "title": f"font-size:26px;line-height:32px;font-weight:bold;color:{_P['ink']};margin:6px 0 4px 0;",
    "subtitle": f"font-size:13px;color:{_P['muted']};margin:0;",
    "h2": f"font-size:17px;line-height:22px;font-weight:bold;color:{_P['ink']};margin:0 0 6px 0;"
    f"padding-bottom:6px;border-bottom:1px solid {_P['rule']};",
    "intro": f"font-size:12px;line-height:18px;color:{_P['muted']};margin:0 0 12px 0;",
    "text": f"font-size:14px;line-height:21px;color:{_P['ink']};margin:0 0 10px 0;",
    "note": f"font-size:11px;line-height:16px;color:{_P['muted']};margin:8px 0 0 0;",
    "notice": f"font-size:13px;line-height:19px;color:{_P['ink']};background:{_P['panel']};padding:10px 12px;"
    f"border-left:3px solid {_P['accent']};margin:0 0 12px 0;",
    "empty": f"font-size:15px;line-height:22px;color:{_P['ink']};background:{_P['panel']};padding:18px;"
    f"border-left:3px solid {_P['accent']};",
    "kpi": f"padding:12px 10px 12px 0;vertical-align:top;width:33%;border-top:1px solid {_P['rule']};",
    "kpi_top": "border-top:0;",  # the first row sits under the heading's own rule
    "kpi_value": f"font-size:24px;line-height:30px;font-weight:bold;color:{_P['ink']};",
    "kpi_label": f"font-size:11px;letter-spacing:0.5px;text-transform:uppercase;color:{_P['muted']};",
    "kpi_change": f"font-size:12px;color:{_P['muted']};",
    "up": f"color:{_P['positive']};",
    "down": f"color:{_P['negative']};",
    "table": "width:100%;border-collapse:collapse;",
    "th": f"font-size:11px;text-transform:uppercase;letter-spacing:0.5px;color:{_P['muted']};text-align:left;"
    f"padding:6px 8px 6px 0;border-bottom:1px solid {_P['rule']};font-weight:normal;",
    "th_num": f"font-size:11px;text-transform:uppercase;letter-spacing:0.5px;color:{_P['muted']};text-align:right;"
    f"padding:6px 0 6px 8px;border-bottom:1px solid {_P['rule']};font-weight:normal;",
    "td": f"font-size:13px;color:{_P['ink']};padding:7px 8px 7px 0;border-bottom:1px solid {_P['rule']};",
    "td_num": f"font-size:13px;color:{_P['ink']};padding:7px 0 7px 8px;text-align:right;"
    f"border-bottom:1px solid {_P['rule']};white-space:nowrap;",
    "tag": f"font-size:10px;text-transform:uppercase;letter-spacing:0.5px;color:{_P['paper']};"
    f"background:{_P['accent']};padding:1px 5px;border-radius:2px;",
    "own": "font-weight:bold;",
    "chart": "display:block;width:100%;max-width:576px;height:auto;border:0;margin:4px 0 6px 0;",
    "post": f"padding:10px 12px;background:{_P['panel']};border-left:3px solid {_P['neutral']};",
    "post_positive": f"padding:10px 12px;background:{_P['panel']};border-left:3px solid {_P['positive']};",
    "post_negative": f"padding:10px 12px;background:{_P['panel']};border-left:3px solid {_P['negative']};",
    "post_meta": f"font-size:11px;color:{_P['muted']};margin:0 0 4px 0;",
    "post_text": f"font-size:13px;line-height:19px;color:{_P['ink']};margin:0;",
    "link": f"color:{_P['accent']};text-decoration:underline;",
    "gap": "height:10px;line-height:10px;font-size:1px;",
    "h3": f"font-size:13px;font-weight:bold;color:{_P['ink']};margin:14px 0 6px 0;",
    "footer": f"padding:18px 32px 28px 32px;font-size:11px;line-height:16px;color:{_P['muted']};"
    f"border-top:1px solid {_P['rule']};",
}

# Only for the PDF (WeasyPrint reads <style>): page size, margins, and no section split across pages.
PRINT_CSS = f"""
@page {{ size: A4; margin: 14mm 12mm 16mm 12mm;
        @bottom-right {{ content: counter(page) " / " counter(pages); font: 9px {FONT}; color: {_P['muted']}; }} }}
body, table {{ background: {_P['paper']} !important; }}
table {{ border: 0 !important; }}
h2, .h3, .intro {{ break-after: avoid; }}
img, .card, .kpis {{ break-inside: avoid; }}
"""
