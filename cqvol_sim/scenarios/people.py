"""Synthetic people: Chinese names, valid-looking ID-card and mobile numbers (never real ones)."""

from __future__ import annotations

import datetime as _dt
import random

from ..validate import id_card_check_digit

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
    "康易乔赖文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅兰玉萍燕春玲凤云慧琳婷雪晨宇浩然子轩欣怡诗涵"
    "梓萱俊杰思远嘉怡佳琪文博晓东志强海燕丹丹"
)


def person_name(rng: random.Random) -> str:
    """A plausible two- or three-character Chinese name."""
    n = 1 if rng.random() < 0.3 else 2
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(n))


def mobile(rng: random.Random) -> str:
    """A well-formed mainland mobile number in ranges used for tests."""
    return rng.choice(("139", "138", "158", "188", "177", "136")) + f"{rng.randrange(10**8):08d}"


def id_card(rng: random.Random, region: str, used: set[str]) -> str:
    """A well-formed 18-digit ID number with a valid check digit, unique within ``used``."""
    while True:
        born = _dt.date(1950, 1, 1) + _dt.timedelta(days=rng.randrange(20000))
        first17 = f"{region[:6]}{born:%Y%m%d}{rng.randrange(1000):03d}"
        card = first17 + id_card_check_digit(first17)
        if card not in used:
            used.add(card)
            return card
