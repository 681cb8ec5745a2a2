"""factory-boy factories. They flush, never commit; the test or the service commits."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from casemgr.extensions import db
from casemgr.models import (
    AliasKind,
    Enterprise,
    EnterpriseAlias,
    EnterpriseStatus,
    PermitClass,
    PollutionSource,
)
from linkage.identifiers import make_uscc

_COUNTIES = ["520102", "520115", "520181", "520382", "520526", "522301", "522601", "522701"]


def uscc_for(n: int, division: str = "520000") -> str:
    """A valid USCC whose organisation-code body is derived from ``n``."""
    return make_uscc("9", "1", division, f"{n % 10**8:08d}")


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class EnterpriseFactory(BaseFactory):
    class Meta:
        model = Enterprise

    uscc = factory.Sequence(lambda n: uscc_for(70_000_000 + n))
    name = factory.Sequence(lambda n: f"贵州测试{n}号化工有限公司")
    legal_representative = "王建国"
    address = "贵州省贵阳市南明区测试路1号"
    county_code = factory.Iterator(_COUNTIES)
    industry_code = "C2611"
    industry_name = "无机酸制造"
    status = EnterpriseStatus.OPERATING


class AliasFactory(BaseFactory):
    class Meta:
        model = EnterpriseAlias

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = AliasKind.ORG_CODE
    value = factory.LazyAttribute(lambda a: f"{a.enterprise.uscc[8:16]}-{a.enterprise.uscc[16]}")


class SourceFactory(BaseFactory):
    class Meta:
        model = PollutionSource

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"{n}号排放口")
    permit_number = factory.LazyAttributeSequence(lambda s, n: f"{s.enterprise.uscc}{n:03d}P")
    permit_class = PermitClass.KEY
    key_pollutant_unit = True
    county_code = factory.LazyAttribute(lambda s: s.enterprise.county_code)
    basin_code = "wujiang"
