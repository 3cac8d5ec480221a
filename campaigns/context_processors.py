from .roles import can_read_province, is_leader, is_officer, is_reviewer, role_of, unit_of


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_role": role_of(user),
        "nav_is_officer": is_officer(user),
        "nav_is_reviewer": is_reviewer(user),
        "nav_is_leader": is_leader(user),
        "nav_reads_province": can_read_province(user),
        "nav_unit": unit_of(user),
    }
