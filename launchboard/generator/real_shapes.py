"""What the real-shaped sample looks like: the Korean words, headers and SMS texts of each export,
and reading the contract sample's files back (see ``launchboard.generator.real``)."""
from __future__ import annotations

import gzip
import io
import pathlib

import pyarrow as pa
import pyarrow.csv as pacsv

from .story import REGIONS

CHANNEL_KO = {"sms": "문자", "web": "웹", "store": "매장", "app": "앱"}
REGION_KO = dict(zip(REGIONS, ["서울", "경기", "인천", "부산", "대구", "대전", "광주", "울산", "제주"]))
PRIORITY_KO = {"true": "예", "y": "예", "1": "예", "false": "아니오", "n": "아니오", "0": "아니오"}
UNKNOWN_WORD = "모름"  # a priority word no map knows (the contract sample's "maybe")
HUB_KO = {
    "Seoul HUB": "서울허브", "Gunpo HUB": "군포허브", "Incheon HUB": "인천허브", "Busan HUB": "부산허브",
    "Daegu HUB": "대구허브", "Daejeon HUB": "대전허브", "Gwangju HUB": "광주허브", "Jeju HUB": "제주허브",
}
# Each courier's own words (all in the built-in Korean courier vocabulary); "lost" has none.
EVENT_KO = {
    "CJ": {"packed": "운송장출력", "picked_up": "집화처리", "at_hub": "간선하차", "out_for_delivery": "배송출발",
           "failed_attempt": "미배달", "delivered": "배송완료", "returned": "반송"},
    "Hanjin": {"packed": "운송장등록", "picked_up": "집하", "at_hub": "터미널입고", "out_for_delivery": "배송출발",
               "failed_attempt": "고객부재", "delivered": "배송완료", "returned": "반송처리"},
    "Epost": {"packed": "배송준비중", "picked_up": "접수", "at_hub": "도착", "out_for_delivery": "배달준비",
              "failed_attempt": "배달실패", "delivered": "배달완료", "returned": "반송"},
}
UNMAPPED_EVENT = "분실신고"  # the contract sample's unknown event "lost": in no vocabulary
ORDER_HEADERS = {  # contract column -> the shop's header
    "order_id": "주문번호", "customer_id": "고객번호", "channel": "주문경로", "sku": "모델코드", "model": "모델명",
    "region": "배송지역", "phone": "휴대폰번호", "priority": "우선예약", "ordered_at": "주문일시",
    "allocated_at": "배정일시", "cancelled_at": "취소일시", "promised_delivery_by": "배송약속일시",
    "promised_activation_by": "개통약속일시", "updated_at": "수정일시",
}
ORDER_TIMES = ("ordered_at", "allocated_at", "cancelled_at", "promised_delivery_by", "promised_activation_by",
               "updated_at")
SHIPMENT_HEADERS = {"event_id": "일련번호", "order_id": "주문번호", "tracking_no": "운송장번호",
                    "event": "배송상태", "event_at": "처리일시", "hub": "처리점소"}
EPOST_HEADERS = {"event_id": "처리번호", "order_id": "고객주문번호", "tracking_no": "등기번호",
                 "event": "처리현황", "event_at": "처리일자", "hub": "처리국"}
KST_S = 9 * 3600  # the sample is written in Asia/Seoul (no DST in 2016)
SHEET_ROWS = 1_000_000  # rows per workbook (Excel's sheet holds 1,048,576)


def read_contract_csv(path: pathlib.Path) -> pa.Table:
    """A contract-shaped CSV (gzip, BOM or CP949 as the sample writes them), every column text."""
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp949")
    names = text.split("\n", 1)[0].split(",")
    return pacsv.read_csv(io.BytesIO(text.encode()), convert_options=pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False))


def drop_of(name: str) -> int:
    """``orders_006.csv`` -> 6."""
    return int(name.split("_")[1].split(".")[0])



# template -> (text before the order id, text after it): the SMS the gateway sent
BODIES: dict[str, tuple[str, str]] = {
    "PREORDER_CONFIRMED": ("[KT] 아이폰7 사전예약이 접수되었습니다. 주문번호 ", ""),
    "ALLOCATED": ("[KT] 예약하신 아이폰7 물량이 확보되었습니다. 주문번호 ", ""),
    "SHIPPED": ("[KT] 아이폰7이 발송되었습니다. 주문번호 ", ""),
    "DELIVERY_DELAYED": ("[KT] 배송 지연 안내: 주문번호 ", " 아이폰7 배송이 늦어지고 있습니다. 불편을 드려 죄송합니다."),
    "DELAY_NOTICE_CORRECTION": ("[KT] 정정 안내: 어제 보내드린 배송 지연 문자는 잘못 발송되었습니다. 주문번호 ", ""),
    "ACTIVATION_AUTO_BY_DEADLINE": ("[KT] 주문번호 ", " 아이폰7은 금요일 22시까지 자동으로 개통됩니다."),
    "ACTIVATION_CALL_ARS": ("[KT] 주문번호 ", " 개통을 위해 ARS(080-000-0114)로 전화해 주세요."),
    "ACTIVATION_FAILED": ("[KT] 개통 처리에 실패했습니다. 고객센터로 문의해 주세요. 주문번호 ", ""),
    "ACTIVATED": ("[KT] 개통이 완료되었습니다. 주문번호 ", ""),
    "SURVEY_INVITE": ("[KT] 아이폰7 구매 만족도 조사에 참여해 주세요. 주문번호 ", ""),
}
OTHER_BODY = "안녕하세요 고객님, 아이폰7 관련 문의는 114로 연락 주세요."  # no rule: a rejected row
# the gateway's error codes for the contract sample's failure codes
TWILIO_ERRORS = {"E-SMS-UNREACHABLE": "30003", "E-SMS-BLOCKED": "30004", "E-SMS-INVALID-NUMBER": "21211"}
# the batch each template was sent in (the rule's constants)
BATCH_OF = {"DELIVERY_DELAYED": "B-DELAY-1020", "ACTIVATION_AUTO_BY_DEADLINE": "B-AUTO-1020",
            "ACTIVATION_CALL_ARS": "B-ARS-1021", "DELAY_NOTICE_CORRECTION": "B-CORR-1021",
            "SURVEY_INVITE": "B-SURVEY-1022"}
REGEX_RULES = {  # two texts start alike: told apart by a regex with the order id as a named group
    "ACTIVATION_AUTO_BY_DEADLINE": r"^\[KT\] 주문번호 (?P<order_id>O\d+) 아이폰7은 금요일 22시까지 자동",
    "ACTIVATION_CALL_ARS": r"^\[KT\] 주문번호 (?P<order_id>O\d+) 개통을 위해 ARS",
}
COURIER_SOURCES = [  # name, files, courier, headers, timezone, timestamp format
    ("CJ대한통운", "cj_*.csv", "CJ", SHIPMENT_HEADERS, None, None),
    ("한진택배", "hanjin_*.csv", "Hanjin", SHIPMENT_HEADERS, "UTC", None),
    ("우체국택배", "epost_*.csv", "Epost", EPOST_HEADERS, None, "%Y.%m.%d %H:%M:%S"),
]
