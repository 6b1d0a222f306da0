"""The supply-chain family on sentences of its own: who sells to, buys from, uses and hires
from whom, and the chips named on the way (memory generations, accelerator codes)."""

from __future__ import annotations

import pytest

from tests.test_extract import check_facts, entities


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        # customer: only a customer the phrase names
        ("Microsoft, Nvidia's largest customer, bought more chips.",
         {("Nvidia", "supplies", "Microsoft")}, set()),
        ("TSMC counts Apple as its largest customer.",
         {("Taiwan Semiconductor Manufacturing Co", "supplies", "Apple")}, set()),
        ("AMD's customers include Meta and Oracle.",
         {("AMD", "supplies", "Meta"), ("AMD", "supplies", "Oracle")}, set()),
        ("Hua Hong, the foundry that is one of Canon's largest customers, grew.",
         {("Canon", "supplies", "Hua Hong Semiconductor")}, set()),
        ("Lam Research, which makes tools and counts SMIC and Hua Hong among its customers, "
         "earned more.",
         {("Lam Research", "supplies", "Hua Hong Semiconductor")}, set()),
        ("Dell asked Lenovo to audit their customers in Asia.",
         set(), {("Lenovo", "supplies", "Dell"), ("Dell", "supplies", "Lenovo")}),
        # supply to a firm's project is supply to the firm
        ("SK Hynix will provide memory chips to Google's flagship Gemini project.",
         {("SK Hynix", "supplies", "Google")}, {("SK Hynix", "supplies", "Gemini")}),
        ("Kioxia sold $200 million worth of NAND chips to Apple in May.",
         {("Kioxia", "supplies", "Apple")}, set()),
        # hiring people from a firm
        ("Top AI talent from Google, Deepmind, and Anthropic join Apple",
         {("Apple", "hiresFrom", "Google"), ("Apple", "hiresFrom", "Anthropic")}, set()),
        ("Engineers from Baidu and Alibaba have joined Moonshot AI.",
         {("Moonshot AI", "hiresFrom", "Baidu"), ("Moonshot AI", "hiresFrom", "Alibaba")},
         set()),
        ("Apple unveiled a phone. Executives from Intel celebrated the first wafer at the plant.",
         set(), {("Apple", "hiresFrom", "Intel")}),
        ("Amazon has hired Intel CEO Pat Gelsinger and several key engineers.",
         {("Amazon", "hiresFrom", "Intel")}, set()),
        ("Amazon has also hired Pat Gelsinger, previously CEO of Intel, the chipmaker that "
         "Amazon failed to buy.", {("Amazon", "hiresFrom", "Intel")}, set()),
        ("Amazon has recruited ten more AI experts, including several former Google staff.",
         {("Amazon", "hiresFrom", "Google")}, set()),
        ("Meta hired Goldman Sachs to advise it.", set(), {("Meta", "hiresFrom", "Goldman Sachs")}),
        # a maker's chips bought, ordered, spent on, deployed or used
        ("Tencent is buying Nvidia's H20 chips.",
         {("Tencent", "purchases", "H20")}, {("Nvidia", "supplies", "Tencent")}),
        ("Meta has committed to spending $10 billion on Nvidia's newest chips.",
         {("Nvidia", "supplies", "Meta")}, set()),
        ("On May 2, Microsoft announced plans to deploy 40,000 units of Nvidia's "
         "next-generation B300 AI accelerators.",
         {("Microsoft", "purchases", "B300"), ("Nvidia", "supplies", "Microsoft")}, set()),
        ("Meta's new order for AMD MI355X chips may be linked to the deal.",
         {("Meta", "purchases", "MI355X"), ("AMD", "supplies", "Meta")}, set()),
        ("AMD will take a stake in Anthropic as the Claude maker plans to build several "
         "gigawatts of computing capacity using AMD chips and servers.",
         {("AMD", "supplies", "Anthropic")}, set()),
        # a foundry makes another firm's chips
        ("Huawei aims to ship large volumes of its Ascend 910C chip. The chip is manufactured "
         "by China's biggest foundry, SMIC, on an older process.",
         {("Semiconductor Manufacturing International Corp", "supplies", "Huawei")}, set()),
        ("SMIC makes Huawei's Kirin 9000S processor using older tools.",
         {("Semiconductor Manufacturing International Corp", "supplies", "Huawei")}, set()),
        ("Lianfa Holdings, a state group based in Wuhan, lately made its investment in "
         "Zhipu.", set(), {("Lianfa Holdings", "supplies", "Zhipu")}),
        # what a firm's infrastructure uses, the firm uses
        ("Last week Nvidia and Anthropic unveiled a deal to power Anthropic's computing "
         "infrastructure, which will utilize several generations of Nvidia Blackwell GPUs.",
         {("Anthropic", "uses", "Blackwell"), ("Nvidia", "supplies", "Anthropic")},
         {("Nvidia", "uses", "Blackwell")}),
        ("Meta's newest models run on Nvidia H100 chips.", {("Meta", "uses", "H100")}, set()),
        ("G42 plans to use the chips at a new data center campus in Abu Dhabi.", set(),
         {("G42", "uses", "data center campus in Abu Dhabi")}),
        # a deal with a firm to supply goods
        ("SK Hynix also signed a letter of intent with Nvidia to supply high-bandwidth memory "
         "chips.", {("SK Hynix", "supplies", "Nvidia")}, set()),
        ("Micron struck a deal with Apple to provide memory chips.",
         {("Micron", "supplies", "Apple")}, set()),
        ("Reliance announced a joint venture with Meta to sell enterprise AI tools.", set(),
         {("Reliance Industries", "supplies", "Meta")}),
        # a foundry powers its clients
        ("Backed by big investments, Intel will power Dell, HP, and Lenovo into the next era.",
         {("Intel", "supplies", "Dell"), ("Intel", "supplies", "HP"),
          ("Intel", "supplies", "Lenovo")}, set()),
        # chips that power a firm's own data center: not a data center it uses
        ("Meta has spent $10 billion on new chips to power a huge data center in Ohio.",
         set(), {("Meta", "uses", "data center in Ohio")}),
    ],
)
def test_supply_facts(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rumours say Baidu is hoarding HBM2e and HBM 3 parts.",
         {("HBM2E", "Chip"), ("HBM3", "Chip")}),
        ("Demand for high-bandwidth memory keeps rising.", {("HBM", "Chip")}),
        ("The MI450 and the MI400 will ship next year.", {("MI450", "Chip"), ("MI400", "Chip")}),
    ],
)
def test_supply_chips(nlp, text, expected):
    assert expected <= entities(nlp, text)
