"""Notice texts per kind and language, and the minimal "there is news" text that is safe anywhere.

Templates use {placeholders} from the notice's context; a missing value renders as empty rather
than failing a send. English is complete; a language missing a kind falls back to English and
the sweep tells the officer.
"""

from __future__ import annotations

from string import Formatter
from typing import Any

from ..custody.models import EventKind

# Language names a witness record may carry -> the codes the texts are kept under.
LANGUAGE_CODES = {
    "en": "en", "english": "en",
    "id": "id", "indonesian": "id", "bahasa indonesia": "id", "bahasa": "id",
    "th": "th", "thai": "th",
}

MINIMAL = {
    "en": (
        "News from witness support",
        "There is news about your case. Please contact your liaison officer {officer_name} on {officer_phone}.",
    ),
    "id": (
        "Kabar dari layanan pendampingan saksi",
        "Ada kabar tentang perkara Anda. Silakan hubungi petugas pendamping Anda, {officer_name}, "
        "di {officer_phone}.",
    ),
    "th": (
        "ข่าวจากหน่วยช่วยเหลือพยาน",
        "มีข่าวเกี่ยวกับคดีของคุณ กรุณาติดต่อเจ้าหน้าที่ประสานงานของคุณ {officer_name} ที่หมายเลข {officer_phone}",
    ),
}

FULL: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "hearing_set": ("A court date has been set",
                        "A hearing in your case has been set for {new_start}. Your liaison officer "
                        "{officer_name} will help you prepare and can arrange support at court."),
        "hearing_moved": ("A court date has changed",
                          "The hearing in your case planned for {old_start} has moved to {new_start}. "
                          "Contact {officer_name} on {officer_phone} with any questions."),
        "hearing_cancelled": ("A court date has been cancelled",
                              "The hearing in your case planned for {old_start} has been cancelled. "
                              "{officer_name} will tell you when a new date is set."),
        "verdict": ("The court has decided",
                    "The court has reached its verdict about {offender}: {verdict}. This means: {implications} "
                    "Appeals can be lodged until {appeal_deadline}. {compensation}{officer_name} will contact you "
                    "to review your protection plan with you."),
        "sentence": ("The sentence",
                     "{offender} has been sentenced: {sentence}. The earliest release date is "
                     "{earliest_release_date} and the proposed release date is {release_date}. "
                     "Appeals can be lodged until {appeal_deadline}. {compensation}"),
        "property_collectable": ("Your belongings can be collected",
                                 "Your {item} taken as evidence can be collected from {collectable_from}. "
                                 "Contact {officer_name} on {officer_phone} to arrange it; bring this message."),
        "appeal_lodged": ("An appeal has been lodged",
                          "An appeal was lodged by the {appeal_lodged_by} on {appeal_lodged_on} in the case "
                          "against {offender}. {officer_name} will explain what happens next."),
        "appeal_outcome": ("The appeal has been decided",
                           "The appeal in the case against {offender} has been decided: {appeal_outcome}."),
        "release_upcoming": ("A release date is approaching",
                             "{offender} is due to be released on {release_date}, in {days} days. "
                             "{officer_name} will review your safety with you."),
        "released": ("Release from custody",
                     "{offender} was released from custody on {changed_on}. Contact {officer_name} on "
                     "{officer_phone} if you feel unsafe."),
        "escaped": ("Urgent: escape from custody",
                    "{offender} escaped from custody on {changed_on}. If you are in danger call the police "
                    "now. Your liaison officer {officer_name} ({officer_phone}) is being told."),
        "recalled": ("Return to custody",
                     "{offender} was returned to custody on {changed_on}."),
        "in_custody": ("In custody",
                       "{offender} is in custody since {changed_on}. {officer_name} will tell you what happens next."),
        "bail": ("A bail decision",
                 "{offender} was released on bail on {changed_on}. {conditions}Contact {officer_name} on "
                 "{officer_phone} if any condition is broken or you feel unsafe."),
        "bail_breached": ("Bail conditions broken",
                          "{offender} broke their bail conditions (recorded on {changed_on}). Contact "
                          "{officer_name} on {officer_phone} if you feel unsafe."),
        "at_large": ("Urgent: wanted by the police",
                     "A warrant was issued for {offender} on {changed_on}: they are not in custody and their "
                     "whereabouts are not known. If you are in danger call the police now. Your liaison officer "
                     "{officer_name} ({officer_phone}) is being told."),
        "custody_update": ("Custody news",
                           "News about {offender} on {changed_on}: {what}. {officer_name} will explain what it "
                           "means for you."),
        "parole_hearing": ("A parole or licence hearing",
                           "A parole or licence hearing about {offender} is scheduled for {hearing_on}. "
                           "{officer_name} can help you give your views."),
        "deported": ("Removed from the country",
                     "{offender} was deported or removed from the country on {changed_on}."),
    },
    "id": {
        "hearing_set": ("Jadwal sidang telah ditetapkan",
                        "Sidang dalam perkara Anda ditetapkan pada {new_start}. Petugas pendamping Anda, "
                        "{officer_name}, akan membantu Anda bersiap."),
        "hearing_moved": ("Jadwal sidang berubah",
                          "Sidang yang direncanakan pada {old_start} dipindahkan ke {new_start}. Hubungi "
                          "{officer_name} di {officer_phone} jika ada pertanyaan."),
        "hearing_cancelled": ("Jadwal sidang dibatalkan",
                              "Sidang yang direncanakan pada {old_start} dibatalkan. {officer_name} akan "
                              "memberi tahu Anda jadwal baru."),
        "verdict": ("Pengadilan telah memutus",
                    "Pengadilan telah menjatuhkan putusan terhadap {offender}: {verdict}. Artinya: {implications} "
                    "Banding dapat diajukan sampai {appeal_deadline}. {compensation}{officer_name} akan "
                    "menghubungi Anda untuk meninjau rencana perlindungan Anda."),
        "sentence": ("Putusan hukuman",
                     "{offender} dijatuhi hukuman: {sentence}. Tanggal pembebasan paling awal "
                     "{earliest_release_date}, tanggal pembebasan yang direncanakan {release_date}. "
                     "Banding dapat diajukan sampai {appeal_deadline}. {compensation}"),
        "property_collectable": ("Barang Anda dapat diambil",
                                 "{item} Anda yang disita sebagai barang bukti dapat diambil mulai "
                                 "{collectable_from}. Hubungi {officer_name} di {officer_phone} untuk mengaturnya."),
        "appeal_lodged": ("Banding telah diajukan",
                          "Banding diajukan oleh {appeal_lodged_by} pada {appeal_lodged_on} dalam perkara "
                          "terhadap {offender}. {officer_name} akan menjelaskan langkah berikutnya."),
        "appeal_outcome": ("Putusan banding",
                           "Banding dalam perkara terhadap {offender} telah diputus: {appeal_outcome}."),
        "release_upcoming": ("Tanggal pembebasan mendekat",
                             "{offender} dijadwalkan bebas pada {release_date}, {days} hari lagi. "
                             "{officer_name} akan meninjau keamanan Anda bersama Anda."),
        "released": ("Pembebasan dari tahanan",
                     "{offender} dibebaskan dari tahanan pada {changed_on}. Hubungi {officer_name} di "
                     "{officer_phone} jika Anda merasa tidak aman."),
        "escaped": ("Penting: melarikan diri dari tahanan",
                    "{offender} melarikan diri dari tahanan pada {changed_on}. Jika Anda dalam bahaya, "
                    "segera hubungi polisi. Petugas pendamping Anda {officer_name} ({officer_phone}) "
                    "sedang diberi tahu."),
        "recalled": ("Kembali ke tahanan",
                     "{offender} dikembalikan ke tahanan pada {changed_on}."),
        "in_custody": ("Dalam tahanan",
                       "{offender} ditahan sejak {changed_on}. {officer_name} akan memberi tahu langkah berikutnya."),
        "bail": ("Keputusan penangguhan penahanan",
                 "{offender} dilepaskan dengan jaminan pada {changed_on}. {conditions}Hubungi {officer_name} di "
                 "{officer_phone} jika ada syarat yang dilanggar atau Anda merasa tidak aman."),
        "bail_breached": ("Syarat jaminan dilanggar",
                          "{offender} melanggar syarat jaminan (dicatat pada {changed_on}). Hubungi "
                          "{officer_name} di {officer_phone} jika Anda merasa tidak aman."),
        "at_large": ("Penting: dicari polisi",
                     "Surat perintah penangkapan dikeluarkan untuk {offender} pada {changed_on}: ia tidak dalam "
                     "tahanan dan keberadaannya tidak diketahui. Jika Anda dalam bahaya, segera hubungi polisi. "
                     "Petugas pendamping Anda {officer_name} ({officer_phone}) sedang diberi tahu."),
        "custody_update": ("Kabar penahanan",
                           "Kabar tentang {offender} pada {changed_on}: {what}. {officer_name} akan menjelaskan "
                           "artinya bagi Anda."),
        "parole_hearing": ("Sidang pembebasan bersyarat",
                           "Sidang pembebasan bersyarat untuk {offender} dijadwalkan pada {hearing_on}. "
                           "{officer_name} dapat membantu Anda menyampaikan pandangan Anda."),
        "deported": ("Dideportasi",
                     "{offender} dideportasi atau dikeluarkan dari negara ini pada {changed_on}."),
    },
    # Thai ships every custody notice, the release reminder and the property notice; hearing,
    # verdict, sentence and appeal notices fall back to English with a task for the officer.
    "th": {
        "property_collectable": ("คุณสามารถรับสิ่งของของคุณคืนได้",
                                 "{item}ของคุณที่ถูกยึดไว้เป็นพยานหลักฐานสามารถรับคืนได้ตั้งแต่ {collectable_from} "
                                 "กรุณาติดต่อ {officer_name} ที่หมายเลข {officer_phone} เพื่อนัดหมาย และนำข้อความนี้มาด้วย"),
        "release_upcoming": ("ใกล้ถึงวันปล่อยตัว",
                             "{offender} มีกำหนดได้รับการปล่อยตัวในวันที่ {release_date} อีก {days} วัน "
                             "{officer_name} จะทบทวนความปลอดภัยของคุณร่วมกับคุณ"),
        "released": ("การปล่อยตัวจากการควบคุม",
                     "{offender} ได้รับการปล่อยตัวเมื่อ {changed_on} หากคุณรู้สึกไม่ปลอดภัย "
                     "กรุณาติดต่อ {officer_name} ที่หมายเลข {officer_phone}"),
        "escaped": ("ด่วน: หลบหนีจากการควบคุม",
                    "{offender} หลบหนีจากการควบคุมเมื่อ {changed_on} หากคุณตกอยู่ในอันตราย "
                    "กรุณาโทรแจ้งตำรวจทันที เจ้าหน้าที่ของคุณ {officer_name} ({officer_phone}) ได้รับแจ้งแล้ว"),
        "recalled": ("กลับเข้าสู่การควบคุม", "{offender} ถูกนำตัวกลับเข้าสู่การควบคุมเมื่อ {changed_on}"),
        "in_custody": ("อยู่ในการควบคุมตัว",
                       "{offender} อยู่ในการควบคุมตัวตั้งแต่ {changed_on} {officer_name} จะแจ้งให้คุณทราบถึงขั้นตอนต่อไป"),
        "bail": ("คำสั่งปล่อยตัวชั่วคราว",
                 "{offender} ได้รับการปล่อยตัวชั่วคราวเมื่อ {changed_on} {conditions}หากมีการฝ่าฝืนเงื่อนไข"
                 "หรือคุณรู้สึกไม่ปลอดภัย กรุณาติดต่อ {officer_name} ที่หมายเลข {officer_phone}"),
        "bail_breached": ("มีการฝ่าฝืนเงื่อนไขการปล่อยตัวชั่วคราว",
                          "{offender} ฝ่าฝืนเงื่อนไขการปล่อยตัวชั่วคราว (บันทึกเมื่อ {changed_on}) "
                          "หากคุณรู้สึกไม่ปลอดภัย กรุณาติดต่อ {officer_name} ที่หมายเลข {officer_phone}"),
        "at_large": ("ด่วน: ถูกตำรวจออกหมายจับ",
                     "มีการออกหมายจับ {offender} เมื่อ {changed_on} บุคคลนี้ไม่ได้อยู่ในการควบคุม หากคุณตกอยู่ในอันตราย "
                     "กรุณาโทรแจ้งตำรวจทันที เจ้าหน้าที่ของคุณ {officer_name} ({officer_phone}) ได้รับแจ้งแล้ว"),
        "custody_update": ("ข่าวเกี่ยวกับการควบคุมตัว",
                           "ข่าวเกี่ยวกับ {offender} เมื่อ {changed_on}: {what} {officer_name} จะอธิบายว่า"
                           "เรื่องนี้มีความหมายต่อคุณอย่างไร"),
        "parole_hearing": ("การพิจารณาพักการลงโทษ",
                           "มีกำหนดการพิจารณาพักการลงโทษของ {offender} ในวันที่ {hearing_on} "
                           "{officer_name} สามารถช่วยคุณแสดงความคิดเห็นได้"),
        "deported": ("ถูกส่งตัวออกนอกประเทศ", "{offender} ถูกเนรเทศหรือส่งตัวออกนอกประเทศเมื่อ {changed_on}"),
    },
}


# A compensation order for the witness told, in the full verdict and sentence notices only.
COMPENSATION_WORDS = {
    "en": "The court ordered {offender} to pay you compensation of {compensation_amount} {compensation_currency}"
          "{compensation_due}. Your officer will help you claim it. ",
    "id": "Pengadilan memerintahkan {offender} membayar ganti rugi kepada Anda sebesar {compensation_amount} "
          "{compensation_currency}{compensation_due}. Petugas Anda akan membantu Anda menagihnya. ",
}
COMPENSATION_DUE = {"en": ", to be paid by {compensation_due_on}", "id": ", paling lambat {compensation_due_on}"}


# The verdict in words, and what it means for the victim (the guide: "the outcome and its implications").
VERDICT_WORDS = {
    "en": {"convicted": "guilty", "acquitted": "not guilty", "dismissed": "the case was dismissed",
           "other": "see your liaison officer"},
    "id": {"convicted": "bersalah", "acquitted": "tidak bersalah", "dismissed": "perkara dihentikan",
           "other": "tanyakan kepada petugas pendamping Anda"},
}
IMPLICATIONS = {
    "en": {"convicted": "the court found the offence proved; a sentence follows if it was not given yet.",
           "acquitted": "the court did not find the offence proved; the person is free unless held for "
                        "another reason. Your protection continues.",
           "dismissed": "the case ended without a verdict on the facts. Your protection continues.",
           "other": "your liaison officer will explain what the decision means for you."},
    "id": {"convicted": "pengadilan menyatakan tindak pidana terbukti; hukuman akan menyusul jika belum dijatuhkan.",
           "acquitted": "pengadilan tidak menyatakan tindak pidana terbukti. Perlindungan Anda tetap berlanjut.",
           "dismissed": "perkara berakhir tanpa putusan atas fakta. Perlindungan Anda tetap berlanjut.",
           "other": "petugas pendamping Anda akan menjelaskan arti putusan ini bagi Anda."},
}


# What happened in a custody entry, in the witness's language (the custody_update notice says it).
EVENT_WORDS: dict[str, dict[str, str]] = {
    "en": {str(kind): kind.words for kind in EventKind},
    "id": {
        "arrested": "ditangkap",
        "remanded": "ditahan sementara",
        "bailed": "dilepaskan dengan jaminan",
        "bail_varied": "syarat jaminan diubah",
        "bail_breached": "syarat jaminan dilanggar",
        "warrant_issued": "surat perintah penangkapan dikeluarkan: keberadaannya tidak diketahui",
        "rearrested": "ditangkap kembali",
        "charges_dropped": "dakwaan dicabut atau penuntutan dihentikan",
        "acquitted": "dibebaskan setelah dinyatakan tidak bersalah",
        "sentenced": "dijatuhi hukuman penjara",
        "transferred": "dipindahkan ke tempat penahanan lain",
        "temporary_release": "sedang menjalani pembebasan sementara",
        "parole_hearing": "sidang pembebasan bersyarat dijadwalkan",
        "released": "dibebaskan bersyarat atau setelah masa hukumannya berakhir",
        "escaped": "melarikan diri: keberadaannya tidak diketahui",
        "recalled": "dikembalikan ke tahanan",
        "deported": "dideportasi atau dikeluarkan dari negara ini",
    },
    "th": {
        "arrested": "ถูกจับกุม",
        "remanded": "ถูกควบคุมตัวระหว่างการพิจารณาคดี",
        "bailed": "ได้รับการปล่อยตัวชั่วคราวโดยมีประกัน",
        "bail_varied": "มีการเปลี่ยนแปลงเงื่อนไขการปล่อยตัวชั่วคราว",
        "bail_breached": "ฝ่าฝืนเงื่อนไขการปล่อยตัวชั่วคราว",
        "warrant_issued": "มีการออกหมายจับ: ไม่ทราบที่อยู่",
        "rearrested": "ถูกจับกุมอีกครั้ง",
        "charges_dropped": "ข้อกล่าวหาถูกถอนหรือการดำเนินคดียุติลง",
        "acquitted": "ได้รับการปล่อยตัวหลังศาลพิพากษายกฟ้อง",
        "sentenced": "ถูกพิพากษาจำคุก",
        "transferred": "ถูกย้ายสถานที่ควบคุมตัว",
        "temporary_release": "อยู่ระหว่างการปล่อยตัวชั่วคราวจากเรือนจำ",
        "parole_hearing": "มีกำหนดการพิจารณาพักการลงโทษ",
        "released": "ได้รับการปล่อยตัวโดยพักการลงโทษหรือเมื่อพ้นโทษ",
        "escaped": "หลบหนี: ไม่ทราบที่อยู่",
        "recalled": "ถูกนำตัวกลับเข้าสู่การควบคุม",
        "deported": "ถูกเนรเทศหรือส่งตัวออกนอกประเทศ",
    },
}

# The kind of property taken as evidence, in the witness's language (the property notice says it).
ITEM_WORDS: dict[str, dict[str, str]] = {
    "en": {"passport": "passport", "identity_card": "identity card", "phone": "phone", "money": "money",
           "documents": "documents", "clothing": "clothing", "other": "belongings"},
    "id": {"passport": "Paspor", "identity_card": "Kartu identitas", "phone": "Telepon", "money": "Uang",
           "documents": "Dokumen", "clothing": "Pakaian", "other": "Barang"},
    "th": {"passport": "หนังสือเดินทาง", "identity_card": "บัตรประจำตัว", "phone": "โทรศัพท์", "money": "เงิน",
           "documents": "เอกสาร", "clothing": "เสื้อผ้า", "other": "สิ่งของ"},
}

# The English words a notice stored before it stored the kinds (a custody entry's words; an item's
# kind with spaces for underscores), to find the kind again.
EVENT_KIND_BY_WORDS = {words: kind for kind, words in EVENT_WORDS["en"].items()}
ITEM_KIND_BY_WORDS = {kind.replace("_", " "): kind for kind in ITEM_WORDS["en"]}

# Bail conditions that protect the witness, in their language (the places are as the court wrote them).
PROTECTIVE_WORDS = {
    "en": {"intro": "The court set conditions that protect you: ", "no_contact": "{offender} must not contact you",
           "zones": "{offender} must not enter: {zones}", "join": "; ", "end": ". "},
    "id": {"intro": "Pengadilan menetapkan syarat untuk melindungi Anda: ",
           "no_contact": "{offender} dilarang menghubungi Anda", "zones": "{offender} dilarang memasuki: {zones}",
           "join": "; ", "end": ". "},
    "th": {"intro": "ศาลกำหนดเงื่อนไขเพื่อคุ้มครองคุณ: ", "no_contact": "{offender} ห้ามติดต่อคุณ",
           "zones": "{offender} ห้ามเข้าไปใน: {zones}", "join": "; ", "end": " "},
}


def protective_conditions(code: str, values: dict[str, Any]) -> str:
    """The protective bail conditions told to this witness, as a sentence in their language."""
    told = values.get("protective") or {}
    words = PROTECTIVE_WORDS.get(code, PROTECTIVE_WORDS["en"])
    parts = []
    if told.get("no_contact"):
        parts.append(_render(words["no_contact"], values))
    if told.get("zones"):
        parts.append(_render(words["zones"], {**values, "zones": ", ".join(told["zones"])}))
    return words["intro"] + words["join"].join(parts) + words["end"] if parts else ""


def language_code(language: str | None) -> str | None:
    """The code for a language name or code; None when the product ships no texts for it."""
    return LANGUAGE_CODES.get((language or "").strip().lower())


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _render(template: str, values: dict[str, Any]) -> str:
    safe = _Blank({k: "" if v is None else str(v) for k, v in values.items()})
    return Formatter().vformat(template, (), safe)


def render(kind: str, language: str | None, values: dict[str, Any], *, minimal: bool) -> tuple[str, str, str, bool]:
    """(subject, body, language used, fell back to English?)."""
    code = language_code(language) or "en"
    table = MINIMAL if minimal else FULL
    entry = table.get(code) if minimal else FULL.get(code, {}).get(kind)
    fallback = entry is None
    if entry is None:
        code = "en"
        entry = MINIMAL["en"] if minimal else FULL["en"][kind]
    subject, body = entry
    values = dict(values)
    if values.get("verdict_code"):
        words = VERDICT_WORDS.get(code, VERDICT_WORDS["en"])
        meaning = IMPLICATIONS.get(code, IMPLICATIONS["en"])
        values["verdict"] = words.get(values["verdict_code"], values["verdict_code"])
        values["implications"] = meaning.get(values["verdict_code"], "")
    if values.get("compensation_amount"):
        due = _render(COMPENSATION_DUE.get(code, COMPENSATION_DUE["en"]), values) if values.get(
            "compensation_due_on") else ""
        values["compensation"] = _render(COMPENSATION_WORDS.get(code, COMPENSATION_WORDS["en"]),
                                         {**values, "compensation_due": due})
    if "protective" in values:
        values["conditions"] = protective_conditions(code, values)
    # Words stored by kind are said in the notice's language. A row queued before notices stored the
    # kinds carries only the English words: its kind is found again from them.
    if not values.get("event_kind"):
        values["event_kind"] = EVENT_KIND_BY_WORDS.get(str(values.get("what") or ""), "")
    if not values.get("item_kind"):
        values["item_kind"] = ITEM_KIND_BY_WORDS.get(str(values.get("item") or ""), "")
    if values.get("event_kind"):
        words = EVENT_WORDS.get(code, EVENT_WORDS["en"])
        values["what"] = words.get(values["event_kind"], values.get("what") or "")
    if values.get("item_kind"):
        words = ITEM_WORDS.get(code, ITEM_WORDS["en"])
        values["item"] = words.get(values["item_kind"], values.get("item") or "")
    return _render(subject, values), _render(body, values), code, fallback
