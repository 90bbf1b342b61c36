"""The import tests' fixtures (see scripts/make-import-fixtures). Each file holds the same three
families of the Andijon region, written the way a different office keeps its register."""
import datetime
import sys
from pathlib import Path

import openpyxl

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)

# family code, region, district, mahalla, categories, consent, name, sex, birth, relation, pinfl, disability, works
MEMBERS = [
    ("AN-0001", "Andijon", "Asaka", "Navbahor", "low_income, many_children", "01.03.2025",
     "Gʻulomova Oʻgʻiloy", "female", "15.03.1985", "head", "41503851234567", "no", "yes"),
    ("AN-0001", "", "", "", "", "", "G'ulomov Sardor", "male", "02.11.2010", "son", "", "no", "no"),
    ("AN-0001", "", "", "", "", "", "Gʻulomova Nilufar", "female", "20.06.2014", "daughter", "", "yes", "no"),
    ("AN-0002", "Andijon", "Shahrixon", "", "disability", "05.03.2025",
     "Каримов Бахтиёр", "male", "01.01.1979", "head", "", "yes", "no"),
    ("AN-0002", "Andijon", "Shahrixon", "", "disability", "05.03.2025",
     "Каримова Дилноза", "female", "12.12.1982", "spouse", "", "no", "yes"),
    ("AN-0003", "Andijon", "Asaka", "", "unemployed", "", "", "", "", "", "", "", ""),
]

UZ = ["Oila kodi", "Viloyat", "Tuman", "Mahalla", "Toifa", "Rozilik sanasi", "F.I.Sh.", "Jinsi",
      "Tug'ilgan sana", "Qarindoshligi", "JShShIR", "Nogironlik", "Ishlaydi"]
RU = ["Код семьи", "Область", "Район", "Махалля", "Категория", "Дата согласия", "ФИО", "Пол",
      "Дата рождения", "Родство", "ПИНФЛ", "Инвалидность", "Работает"]
EN = ["family_code", "region", "district", "mahalla", "categories", "consent_on", "full_name", "sex",
      "birth_date", "relation", "pinfl", "disability", "works"]

UZ_WORDS = {"female": "ayol", "male": "erkak", "head": "oila boshligʻi", "son": "oʻgʻli", "daughter": "qizi",
            "spouse": "turmush oʻrtogʻi", "yes": "ha", "no": "yoʻq",
            "low_income, many_children": "kam taʼminlangan; koʻp bolali", "disability": "nogironlik", "unemployed": "ishsiz"}
RU_WORDS = {"female": "ж", "male": "м", "head": "глава семьи", "son": "сын", "daughter": "дочь", "spouse": "супруга",
            "yes": "да", "no": "нет", "low_income, many_children": "малообеспеченная; многодетная",
            "disability": "инвалидность", "unemployed": "безработные"}


def csv_line(fields, sep):
    def quote(f):
        return '"' + f.replace('"', '""') + '"' if any(c in f for c in (sep, '"', "\n")) else f
    return sep.join(quote(f) for f in fields) + "\r\n"


def words(row, table):
    return [table.get(v, v) for v in row]


# 1. UTF-8 with a BOM, ';', Uzbek headers and words, DD.MM.YYYY.
with open(out / "families-uz-semicolon.csv", "w", encoding="utf-8-sig", newline="") as f:
    f.write(csv_line(UZ, ";"))
    for row in MEMBERS:
        f.write(csv_line(words(row, UZ_WORDS), ";"))

# 2. Windows-1251, tab-separated, Russian headers (Excel's "Unicode text" is UTF-16; 1251 is
#    what "CSV" gives on a Russian Windows). The Uzbek ʻ has no 1251 form: written as '.
with open(out / "families-ru-cp1251.csv", "w", encoding="cp1251", newline="") as f:
    f.write(csv_line(RU, "\t"))
    for row in MEMBERS:
        f.write(csv_line([v.replace("ʻ", "'") for v in words(row, RU_WORDS)], "\t"))

# 3. openpyxl: English headers, real date cells, the PINFL as text.
book = openpyxl.Workbook()
sheet = book.active
sheet.title = "Families"
sheet.append(EN)
for row in MEMBERS:
    cells = list(row)
    for i in (5, 8):
        if cells[i]:
            d, m, y = map(int, cells[i].split("."))
            cells[i] = datetime.date(y, m, d)
    sheet.append([c if c != "" else None for c in cells])
for cell in sheet["F"][1:] + sheet["I"][1:]:
    cell.number_format = "DD.MM.YYYY"
book.save(out / "families-openpyxl.xlsx")

# 4. Five bad rows among good ones (rows 3, 5, 6, 8 and 9 of the file).
BAD = [
    ("AN-0101", "Andijon", "Asaka", "", "", "01.03.2025", "Tursunova Mohira", "female", "10.10.1990", "head"),
    ("AN-0101", "", "", "", "", "", "Tursunov Aziz", "male", "31.02.2012", "son"),            # 3: no 31 February
    ("AN-0102", "Andijon", "Asaka", "", "", "01.03.2025", "Rahimova Zulfiya", "female", "01.01.1988", "head"),
    ("AN-0102", "", "", "", "", "", "Rahimov Jasur", "robot", "01.01.2015", "son"),          # 5: no such sex
    ("AN-0103", "", "Asaka", "", "", "01.03.2025", "Aliyeva Gulnora", "female", "05.05.1975", "head"),  # 6: no region
    ("AN-0104", "Andijon", "Asaka", "", "", "01.03.2025", "Yusupov Bekzod", "male", "07.07.1970", "head"),
    ("AN 0105", "Andijon", "Asaka", "", "", "01.03.2025", "Ergasheva Sevara", "female", "08.08.1980", "head"),  # 8: a space in the code
    ("AN-0104", "", "", "", "", "", "Yusupova Malika", "female", "09.09.2030", "spouse"),    # 9: born in the future
    ("AN-0106", "Andijon", "Asaka", "", "", "01.03.2025", "Qodirov Anvar", "male", "10.10.1965", "head"),
]
with open(out / "families-5-bad.csv", "w", encoding="utf-8", newline="") as f:
    f.write(csv_line(EN[:10], ","))
    for row in BAD:
        f.write(csv_line(list(row), ","))

# 5. Projects, loans (openpyxl, amounts as number cells), repayments (CSV, "1 250 000,50"), grants.
with open(out / "projects.csv", "w", encoding="utf-8-sig", newline="") as f:
    f.write(csv_line(["Loyiha raqami", "Oila kodi", "Loyiha turi", "Loyiha nomi", "Boshlangan sana", "Oylik tushum"], ";"))
    f.write(csv_line(["P-17", "AN-0001", "sewing", "Tikuvchilik sexi", "10.03.2025", "3 500 000"], ";"))
    f.write(csv_line(["P-18", "AN-0002", "livestock", "Ikki sigir", "15.03.2025", "1 250 000,50"], ";"))

book = openpyxl.Workbook()
sheet = book.active
sheet.append(["loan_ref", "project_ref", "programme", "principal", "annual_rate", "method", "installments",
              "disbursed_on"])
sheet.append(["K-2025-001", "P-17", "Family Business 2025", 12000000, 24, "annuity", 12, datetime.date(2025, 4, 1)])
sheet.append(["K-2025-002", "P-18", "Family Business 2025", 8000000.5, 18.5, "equal_principal", 10, datetime.date(2025, 4, 15)])
sheet["H2"].number_format = sheet["H3"].number_format = "DD.MM.YYYY"
book.save(out / "loans-openpyxl.xlsx")

with open(out / "repayments.csv", "w", encoding="utf-8-sig", newline="") as f:
    f.write(csv_line(["Kredit raqami", "To'lov sanasi", "Summa"], ";"))
    # Not in date order: the import posts them by date.
    f.write(csv_line(["K-2025-001", "01.06.2025", "1 134 715,00"], ";"))
    f.write(csv_line(["K-2025-001", "01.05.2025", "1 134 715,00"], ";"))
    f.write(csv_line(["K-2025-002", "15.05.2025", "920 000,05"], ";"))

with open(out / "grants.csv", "w", encoding="utf-8", newline="") as f:
    f.write(csv_line(["grant_ref", "project_ref", "programme", "tranche", "amount", "planned_on", "condition", "disbursed_on"], ","))
    f.write(csv_line(["G-7", "P-17", "Family Business 2025", "1", "4 000 000", "01.04.2025", "none", "02.04.2025"], ","))
    f.write(csv_line(["G-7", "P-17", "Family Business 2025", "2", "2 000 000", "01.07.2025", "previous_tranche_accounted", ""], ","))
