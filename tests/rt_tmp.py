from tests.factories import MembershipFactory
reveal_type(MembershipFactory())
