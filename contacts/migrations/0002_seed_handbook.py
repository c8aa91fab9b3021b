"""Seed: every row of the contact tables of handbook-latam-es.txt (lines 55-138), R-CON-1..2,
R-BIL-3, R-BIL-5. `printed` keeps each number exactly as the handbook prints it; `e164` is what
people dial. Where the two differ, or a cell had to be interpreted, the row says why
(`interpretation`, shown to staff in the admin):

- First TSC table (AR, BR, CL, CO, EC, MX, PE): the description cell is empty -> the country's
  TSC for every service line (`serves_all_lines`).
- CR/US/PA table: the Network Management / Managed Voice / Managed Video / EVC row has merged
  (empty) number cells -> the same numbers as the Data/Voice/CDN row above it. Its Vyvx row
  prints "+55 11 3957 2288, opción 4" -> a local number with menu option 4.
- Venezuela: four local numbers on the Data/Voice/CDN row; the managed row prints
  "+212 204 9306" with the country code missing -> Caracas +58 212 204 9306 (+212 is Morocco);
  its toll-free cell is empty, so that row has no toll-free number.
- Colombia TSC "01 8000 117997" and billing "01 800 011 7997": the same digits, +57 1 8000 117997.
- Mexico "01 800 999 1422": the 01 prefix was dropped in 2019 -> +52 800 999 1422 (dial 800...).
- Argentina: the BILLING toll-free is 0800 800 5853, the TSC toll-free 0800 800 5383: both kept
  exactly as printed (they differ in the handbook).
- Offices: Colombia "+57 1 | 611 9000" uses the pre-2021 plan; since 2021 Bogotá is +57 601
  611 9000 (the TSC row already prints "+57 60 1 611 9013"), stored as +576016119000.
  Panama "+50 7 | 314 0324" is +507 314 0324.
"""

from django.db import migrations

ALL = ["data", "voice", "cdn", "network_management", "managed_voice", "managed_video",
       "video_collaboration", "vyvx"]
MANAGED_VIDEO = ["managed_voice", "managed_video", "video_collaboration"]
REGION = ["CR", "PA", "US"]
EMPTY_DESC = "The handbook's description cell is empty: the country's TSC for every service line."
SAME_AS_ABOVE = (
    "Merged (empty) number cells in the handbook: the same numbers as the Data, Voz, CDN row."
)

# (countries, region printed, description printed, serves all, lines, regional,
#  [(kind, printed, e164, menu option)], interpretation)
SUPPORT_LINES = [
    (["AR"], "Argentina", "", True, [], False,
     [("toll_free", "0800 800 5383", "+548008005383", None),
      ("local", "+54 11 5170 5383", "+541151705383", None)], EMPTY_DESC),
    (["BR"], "Brazil", "", True, [], False,
     [("toll_free", "0800 887 3333", "+558008873333", None),
      ("local", "+55 11 3957 2288", "+551139572288", None)], EMPTY_DESC),
    (["CL"], "Chile", "", True, [], False,
     [("toll_free", "800 360 303", "+56800360303", None),
      ("local", "+56 22 422 5803", "+56224225803", None)], EMPTY_DESC),
    (["CO"], "Colombia", "", True, [], False,
     [("toll_free", "01 8000 117997", "+5718000117997", None),
      ("local", "+57 60 1 611 9013", "+576016119013", None)],
     EMPTY_DESC + " Toll-free 01 8000 117997 = billing's 01 800 011 7997 (same digits)."),
    (["EC"], "Ecuador", "", True, [], False,
     [("toll_free", "1800 400 408", "+5931800400408", None),
      ("local", "+593 2 400 5080", "+59324005080", None)], EMPTY_DESC),
    (["MX"], "Mexico", "", True, [], False,
     [("toll_free", "01 800 999 1422", "+528009991422", None),
      ("local", "+52 55 2581 6333", "+525525816333", None)],
     EMPTY_DESC + " Mexico dropped the 01 prefix in 2019: dial 800 999 1422."),
    (["PE"], "Peru", "", True, [], False,
     [("toll_free", "0800 7 0662", "+5180070662", None),
      ("local", "+51 1 705 5777", "+5117055777", None)], EMPTY_DESC),
    (REGION, "Costa Rica Estados Unidos Panama", "Datos, Voz, CDN", False,
     ["data", "voice", "cdn"], True,
     [("toll_free", "+1 800 467 7288", "+18004677288", None),
      ("local", "+1 305 808 6010", "+13058086010", None)],
     "The regional centre: answers for countries without a line of their own."),
    (REGION, "Costa Rica Estados Unidos Panama",
     "Network Management, Managed Voice, Managed Video, Enhanced Video Collaboration", False,
     ["network_management", *MANAGED_VIDEO], True,
     [("toll_free", "+1 800 467 7288", "+18004677288", None),
      ("local", "+1 305 808 6010", "+13058086010", None)], SAME_AS_ABOVE),
    (REGION, "Costa Rica Estados Unidos Panama", "Vyvx (atención local Estados Unidos)", False,
     ["vyvx"], True,
     [("local", "+55 11 3957 2288", "+551139572288", 4)],
     "Printed “+55 11 3957 2288, opción 4”: a São Paulo number, menu option 4."),
    (["VE"], "Venezuela", "Datos, Voz, CDN", False, ["data", "voice", "cdn"], False,
     [("toll_free", "0800 285 8300", "+588002858300", None),
      ("local", "+58 212 204 9378", "+582122049378", None),
      ("local", "+58 212 600 9800", "+582126009800", None),
      ("local", "+58 212 204 9351", "+582122049351", None),
      ("local", "+58 212 204 9364", "+582122049364", None)], "Four local numbers in one cell."),
    (["VE"], "Venezuela", "Managed Voice, Managed Video, Enhanced Video Collaboration", False,
     MANAGED_VIDEO, False,
     [("local", "+212 204 9306", "+582122049306", None)],
     "Printed “+212 204 9306”: the country code is missing (+212 is Morocco); Caracas "
     "+58 212 204 9306. The toll-free cell is empty."),
    (["VE"], "Venezuela", "Vyvx (atención local Estados Unidos)", False, ["vyvx"], False,
     [("toll_free", "0800 134 1064", "+588001341064", None),
      ("local", "+55 11 3957 2288", "+551139572288", None)], ""),
]

# (countries, region printed, toll-free printed, toll-free e164, local printed, local e164, note)
BILLING_LINES = [
    (["AR"], "Argentina", "0800 800 5853", "+548008005853", "+54 11 5170 5383", "+541151705383",
     "Billing's toll-free 0800 800 5853 differs from the TSC's 0800 800 5383: both as printed."),
    (["BR"], "Brazil", "0800 887 3333", "+558008873333", "+55 11 3957 2288", "+551139572288", ""),
    (["CL"], "Chile", "800 360 303", "+56800360303", "+56 22 422 5803", "+56224225803", ""),
    (["CO"], "Colombia", "01 800 011 7997", "+5718000117997", "+57 60 1 611 9013",
     "+576016119013", "Same digits as the TSC's 01 8000 117997."),
    (REGION, "Costa Rica, Estados Unidos, Panamá", "+1 800 467 7288", "+18004677288",
     "+1 305 808 6010", "+13058086010", ""),
    (["EC"], "Ecuador", "1 800 400 408", "+5931800400408", "+593 2 400 5080", "+59324005080", ""),
    (["MX"], "México", "01 800 999 1422", "+528009991422", "+52 55 2581 6333", "+525525816333",
     "Mexico dropped the 01 prefix in 2019: dial 800 999 1422."),
    (["PE"], "Perú", "0800 7 0662", "+5180070662", "+51 1 705 5777", "+5117055777", ""),
    (["VE"], "Venezuela", "0800 285 8300", "+588002858300", "+58 212 204 9378", "+582122049378",
     ""),
]

PORTALS = [
    (["AR", "BR", "CL", "CO", "EC", "PE", "VE"], "customer_portal"),
    (["CR", "MX", "PA", "US"], "control_center"),
]

PO_ADDRESSES = [
    (["AR", "CL", "CO", "CR", "EC", "MX", "PA", "PE", "US"], "Pre-Requisitos_LATAM@lumen.com"),
    (["BR"], "BRA-billing@lumen.com"),
    (["VE"], "Ven-grp-facturacion@lumen.com"),
]

# (country, site, description printed, code printed, number printed, e164, interpretation)
OFFICES = [
    ("AR", "", "", "+54 11", "5170 0000", "+541151700000", ""),
    ("BR", "Cotia", "Datos, Voz, y Data Center", "+55 11", "3957 2200", "+551139572200", ""),
    ("BR", "Morumbi", "Oficina administrativa", "+55 11", "3957 1900", "+551139571900", ""),
    ("CL", "", "", "+56 2", "2422 5900", "+56224225900", ""),
    ("CO", "", "", "+57 1", "611 9000", "+576016119000",
     "Printed with the pre-2021 plan (+57 1); since 2021 Bogotá is +57 601 611 9000."),
    ("EC", "", "", "+593 2", "400 4040", "+59324004040", ""),
    ("US", "", "", "+1 305", "808 5934", "+13058085934", ""),
    ("MX", "", "", "+52 55", "25816270", "+525525816270", ""),
    ("PA", "", "", "+50 7", "314 0324", "+5073140324", "Printed “+50 7”: Panama is +507."),
    ("PE", "", "", "+51 1", "705 5700", "+5117055700", ""),
    ("VE", "", "", "+58 212", "204 9275", "+582122049275", ""),
]


def load(apps, schema_editor):
    SupportLine = apps.get_model("contacts", "SupportLine")
    SupportNumber = apps.get_model("contacts", "SupportNumber")
    for position, row in enumerate(SUPPORT_LINES, start=1):
        countries, region, description, all_lines, lines, regional, numbers, note = row
        line = SupportLine.objects.create(
            countries=countries, region_printed=region, description_printed=description,
            serves_all_lines=all_lines, service_lines=lines, is_regional=regional,
            interpretation=note, position=position * 10,
        )
        for number_position, (kind, printed, e164, option) in enumerate(numbers):
            SupportNumber.objects.create(
                line=line, kind=kind, printed=printed, e164=e164, menu_option=option,
                position=number_position,
            )
    BillingLine = apps.get_model("contacts", "BillingLine")
    for position, row in enumerate(BILLING_LINES, start=1):
        countries, region, tf_printed, tf_e164, local_printed, local_e164, note = row
        BillingLine.objects.create(
            countries=countries, region_printed=region, toll_free_printed=tf_printed,
            toll_free_e164=tf_e164, local_printed=local_printed, local_e164=local_e164,
            interpretation=note, position=position * 10,
        )
    PortalAssignment = apps.get_model("contacts", "PortalAssignment")
    for position, (countries, portal) in enumerate(PORTALS, start=1):
        PortalAssignment.objects.create(countries=countries, portal=portal, position=position * 10)
    PoAddress = apps.get_model("contacts", "PoAddress")
    for position, (countries, email) in enumerate(PO_ADDRESSES, start=1):
        PoAddress.objects.create(countries=countries, email=email, position=position * 10)
    Office = apps.get_model("contacts", "Office")
    for position, row in enumerate(OFFICES, start=1):
        country, site, description, code, number, e164, note = row
        Office.objects.create(
            country=country, site=site, description_printed=description, code_printed=code,
            number_printed=number, e164=e164, interpretation=note, position=position * 10,
        )


def unload(apps, schema_editor):
    for name in ("SupportNumber", "SupportLine", "BillingLine", "PortalAssignment", "PoAddress",
                 "Office"):
        apps.get_model("contacts", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
