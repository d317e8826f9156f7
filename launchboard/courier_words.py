"""The built-in courier vocabulary: what Korean courier trackers (CJ대한통운, 한진, 롯데, 로젠,
우체국) and the open tracker.delivery vocabulary print, as the contract's shipment events.

Every source feeding ``shipments`` gets this map for its ``event`` column; the source's own
``[sources.values.event]`` wins over it. Words are matched after trimming, lower-casing and
removing spaces ("배송 출발" is 배송출발, ``OUT_FOR_DELIVERY`` is out_for_delivery). The README
documents every entry and why (a test checks that it lists them all).
"""
from __future__ import annotations

# Grouped by the event they become. The contract has one event in the middle of the network,
# at_hub: every scan made at a terminal, hub or sorting centre is at_hub, whatever direction
# the parcel goes, and the scan's site is the shipment's ``hub``. So 간선상차 (loaded onto the
# trunk-line truck at a hub) is at_hub at that hub: a parcel whose last scan it is has not been
# scanned anywhere since, and the hub-stall rule (spec 3b) counts it at the hub where it was last
# seen. While trucks leave normally the orders move on and no stall is raised.
COURIER_EVENTS: dict[str, tuple[str, ...]] = {
    # The courier knows of the parcel but does not hold it yet (a pickup that never came
    # shows as orders held here).
    "packed": (
        "information_received",  # tracker.delivery
        "상품준비중", "배송준비중", "운송장등록", "송장등록", "운송장출력", "송장출력",
        "집하예정", "집화예정", "집하지시", "집화지시", "방문예정", "예약접수",
    ),
    # The courier took the parcel: CJ 집화처리, 한진 집하, 우체국 접수 (accepted at the counter
    # or by the carrier), 롯데 상품접수 (the courier took it in).
    "picked_up": (
        "at_pickup",  # tracker.delivery: the courier took the parcel (CJ's 상품인수)
        "집화처리", "집하처리", "집화완료", "집하완료", "집화", "집하", "상품인수", "접수", "상품접수",
    ),
    # A scan at a terminal, hub or sorting centre, arriving or leaving (see above).
    "at_hub": (
        "in_transit",  # tracker.delivery: every scan between pickup and the last mile
        "간선상차", "간선하차", "상품이동중", "이동중", "터미널입고", "터미널출고", "허브입고", "허브출고",
        "배송지도착", "도착", "발송",  # 우체국: 도착 / 발송 at each sorting centre
    ),
    # The last mile: with the driver, or waiting at a pick-up point for the customer.
    "out_for_delivery": (
        "out_for_delivery",
        "available_for_pickup",  # tracker.delivery: at a pick-up point; not in the customer's hands yet
        "배송출발", "배달출발", "배송출고", "배달준비", "배송중", "배달중",
    ),
    # The delivery did not happen as planned and the parcel is still with the courier.
    "failed_attempt": (
        "attempt_fail",  # tracker.delivery
        "exception",  # tracker.delivery: held, damaged, address problem: the closest contract event
        "미배달", "미배송", "배달실패", "배송실패", "수취인부재", "고객부재", "주소불명",
    ),
    "delivered": ("delivered", "배송완료", "배달완료"),
    # The parcel goes back to the sender.
    "returned": ("반송", "반송처리", "반송출발", "반송완료", "반품", "반품회수", "반품완료"),
}
# Deliberately not mapped: tracker.delivery's "unknown" (and any other word), which stays an
# unmapped value, visible on the Data quality page, until the launch's own map says what it is.


def courier_map() -> dict[str, str]:
    """Every built-in word -> its contract event."""
    return {word: event for event, words in COURIER_EVENTS.items() for word in words}
